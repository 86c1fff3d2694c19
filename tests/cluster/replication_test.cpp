#include "test_support.hpp"

#include <map>
#include <string>

#include "cqlwire/cluster/replication.hpp"

namespace cluster = cqlwire::cluster;
using options = std::map<std::string, std::string>;

TEST_CASE("replication: SimpleStrategy by its full and its short name") {
    for (const std::string name : {"org.apache.cassandra.locator.SimpleStrategy", "SimpleStrategy"}) {
        CAPTURE(name);
        cluster::replication_strategy s;
        REQUIRE_FALSE(cluster::parse_replication({{"class", name}, {"replication_factor", "3"}}, s));
        CHECK(s.kind == cluster::replication_kind::simple);
        CHECK(s.replication_factor == 3);
        CHECK(s.datacenter_factors.empty());
        CHECK(s.class_name == name);
    }
}

TEST_CASE("replication: NetworkTopologyStrategy reads a factor per data center") {
    cluster::replication_strategy s;
    REQUIRE_FALSE(cluster::parse_replication(
        {{"class", "org.apache.cassandra.locator.NetworkTopologyStrategy"}, {"dc1", "3"}, {"dc2", "1"}, {"empty dc", "0"}},
        s));
    CHECK(s.kind == cluster::replication_kind::network_topology);
    CHECK(s.replication_factor == 0);
    CHECK(s.datacenter_factors == std::map<std::string, int, std::less<>>{{"dc1", 3}, {"dc2", 1}, {"empty dc", 0}});

    // Cassandra 4's replication_factor shorthand is not a data center.
    REQUIRE_FALSE(cluster::parse_replication(
        {{"class", "NetworkTopologyStrategy"}, {"replication_factor", "3"}, {"dc1", "2"}}, s));
    CHECK(s.datacenter_factors == std::map<std::string, int, std::less<>>{{"dc1", 2}});
}

TEST_CASE("replication: a factor with transient replicas counts them all") {
    cluster::replication_strategy s;
    REQUIRE_FALSE(cluster::parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", "3/1"}}, s));
    CHECK(s.replication_factor == 3);
    REQUIRE_FALSE(cluster::parse_replication({{"class", "NetworkTopologyStrategy"}, {"dc1", "5/2"}, {"dc2", "0/0"}}, s));
    CHECK(s.datacenter_factors == std::map<std::string, int, std::less<>>{{"dc1", 5}, {"dc2", 0}});
}

TEST_CASE("replication: LocalStrategy, EverywhereStrategy and unknown classes") {
    cluster::replication_strategy s;
    REQUIRE_FALSE(cluster::parse_replication({{"class", "org.apache.cassandra.locator.LocalStrategy"}}, s));
    CHECK(s.kind == cluster::replication_kind::local);
    REQUIRE_FALSE(cluster::parse_replication({{"class", "EverywhereStrategy"}}, s));
    CHECK(s.kind == cluster::replication_kind::everywhere);

    // Unknown: no error, the session routes without tokens. Only the locator package may be
    // left out of a name, so a SimpleStrategy of another package is another class.
    for (const std::string name :
         {"org.apache.cassandra.locator.OldNetworkTopologyStrategy", "com.example.SimpleStrategy", "simplestrategy", ""}) {
        CAPTURE(name);
        REQUIRE_FALSE(cluster::parse_replication({{"class", name}, {"replication_factor", "junk"}}, s));
        CHECK(s.kind == cluster::replication_kind::other);
        CHECK(s.class_name == name);
        CHECK(s.replication_factor == 0);
    }
}

TEST_CASE("replication: the largest factor is accepted") {
    cluster::replication_strategy s;
    const auto largest = std::to_string(cluster::max_replication_factor);
    REQUIRE_FALSE(cluster::parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", largest}}, s));
    CHECK(s.replication_factor == cluster::max_replication_factor);
    REQUIRE_FALSE(cluster::parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", "007"}}, s));
    CHECK(s.replication_factor == 7);
}

TEST_CASE("replication: bad values are refused and leave the result as it was") {
    const auto too_large = std::to_string(cluster::max_replication_factor + 1);
    const std::string bad_factors[] = {"", "-1", "+3", " 3", "3 ", "3.0", "three", "0x3", "3/", "/1", "3/3", "3/4", "0/1",
                                  "3/-1", "3/1/1", "99999999999999999999", too_large};
    for (const auto& bad : bad_factors) {
        CAPTURE(bad);
        cluster::replication_strategy s;
        s.class_name = "unchanged";
        CHECK(cluster::parse_replication({{"class", "SimpleStrategy"}, {"replication_factor", bad}}, s) ==
              std::errc::invalid_argument);
        CHECK(cluster::parse_replication({{"class", "NetworkTopologyStrategy"}, {"dc1", "3"}, {"dc2", bad}}, s) ==
              std::errc::invalid_argument);
        CHECK(s.class_name == "unchanged");
        CHECK(s.datacenter_factors.empty());
    }
}

TEST_CASE("replication: a missing class or SimpleStrategy factor is refused") {
    cluster::replication_strategy s;
    CHECK(cluster::parse_replication({}, s) == std::errc::invalid_argument);
    CHECK(cluster::parse_replication({{"replication_factor", "3"}}, s) == std::errc::invalid_argument);
    CHECK(cluster::parse_replication({{"class", "SimpleStrategy"}}, s) == std::errc::invalid_argument);
    CHECK(s.kind == cluster::replication_kind::other);
}

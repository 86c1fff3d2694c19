// The benchmark programs' `--flag value` arguments: one flag at a time, its value as text or as a
// non-negative number. A flag without its value, or a value that is not a number, ends the
// program through the program's own `die` (exit 2, a message naming the flag).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace cqlwire::bench {

class argument_reader {
public:
    using die_function = void (*)(const std::string&);

    argument_reader(int argc, char** argv, die_function die) : argc_(argc), argv_(argv), die_(die) {}

    // Moves to the next flag; false once every argument was read.
    bool next() { return ++index_ < argc_; }
    std::string_view flag() const { return argv_[index_]; }

    // The flag's value: the next argument.
    std::string value() {
        if (index_ + 1 >= argc_) die_(std::string(flag()) + " needs a value");
        const std::string_view f = flag();
        ++index_;
        last_flag_ = f;
        return argv_[index_];
    }
    double number() {
        const std::string v = value();
        char* end = nullptr;
        const double n = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !(n >= 0)) die_(std::string(last_flag_) + ": not a non-negative number: " + v);
        return n;
    }

private:
    int argc_;
    char** argv_;
    die_function die_;
    int index_ = 0;
    std::string_view last_flag_;
};

}  // namespace cqlwire::bench

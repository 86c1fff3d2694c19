// What a file on disk was when it was read — which inode, how large, when last changed — so
// that a later look can tell a replacement (a rename over it, an edit in place) from no change.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include <sys/types.h>

namespace cqlwire::transport::detail {

struct file_stamp {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    timespec changed{};  // ctime: moves on a rename over the file and on chmod, too

    friend bool operator==(const file_stamp& a, const file_stamp& b) noexcept;
};

// The stamp of `path` now (exists == false when it cannot be stat'ed). Follows symbolic links,
// as the readers do: a link switched to a new target is a change.
file_stamp stamp_of(const std::string& path) noexcept;

// The stamps of several files, in order.
std::vector<file_stamp> stamps_of(const std::vector<std::string>& paths);

}  // namespace cqlwire::transport::detail

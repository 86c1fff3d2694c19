#include "file_stamp.hpp"

#include <sys/stat.h>

namespace cqlwire::transport::detail {

bool operator==(const file_stamp& a, const file_stamp& b) noexcept {
    return a.exists == b.exists && a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec &&
           a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec;
}

file_stamp stamp_of(const std::string& path) noexcept {
    file_stamp s;
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return s;
    s.exists = true;
    s.device = st.st_dev;
    s.inode = st.st_ino;
    s.size = st.st_size;
    s.modified = st.st_mtim;
    s.changed = st.st_ctim;
    return s;
}

std::vector<file_stamp> stamps_of(const std::vector<std::string>& paths) {
    std::vector<file_stamp> out;
    out.reserve(paths.size());
    for (const auto& p : paths) out.push_back(stamp_of(p));
    return out;
}

}  // namespace cqlwire::transport::detail

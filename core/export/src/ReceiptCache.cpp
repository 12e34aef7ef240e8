// Content-addressed receipt cache: see ReceiptCache.h.
#include "ledgerbridge/export/ReceiptCache.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "ledgerbridge/atomic_file.hpp"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::exporter {
namespace fs = std::filesystem;

namespace {

std::string sha256(const std::string& data) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(data);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

void writeAtomically(const fs::path& target, const std::string& bytes) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw IoError("cannot create the receipt cache folder " + target.parent_path().string() + ": " + ec.message());
    try {
        sdk::writeFileAtomically(target.string(), bytes, 0600);
    } catch (const sdk::FileError& e) {
        throw IoError(std::string("cannot write to the receipt cache: ") + e.what());
    }
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

}  // namespace

std::string urlForMessages(const std::string& url) {
    auto cut = url.find_first_of("?#");
    return cut == std::string::npos ? url : url.substr(0, cut);
}

ReceiptCache::ReceiptCache(std::string dir, Downloader downloader, std::int64_t maxBytes)
    : dir_(std::move(dir)), downloader_(std::move(downloader)), maxBytes_(maxBytes) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw IoError("cannot create the receipt cache " + dir_ + ": " + ec.message());
    ::chmod(dir_.c_str(), 0700);
    removeStaleTempFiles();
}

void ReceiptCache::removeStaleTempFiles() {
    // Every final name in the cache is 64 hex digits (a SHA-256): only temp files of those go.
    auto ours = [](const std::string& name) {
        return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
    };
    std::vector<std::string> folders{dir_ + "/by-url"};
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(dir_) / "sha256", ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec)) folders.push_back(it->path().string());
    for (const std::string& folder : folders) {
        try {
            for (const std::string& name : sdk::removeStaleTempFiles(folder, ours))
                log::info("Removed " + folder + "/" + name + ", a temp file a killed process left in the receipt cache.");
        } catch (const sdk::FileError& e) {
            log::warn(std::string("Stale temp files in the receipt cache were not removed: ") + e.what());
        }
    }
}

CachedReceipt ReceiptCache::fetch(const std::string& url, std::int64_t expectedSize) {
    fs::path index = fs::path(dir_) / "by-url" / sha256(url);
    if (fs::exists(index)) {
        std::string hash = readFile(index);
        fs::path content = fs::path(dir_) / "sha256" / hash.substr(0, 2) / hash;
        std::error_code ec;
        if (hash.size() == 64 && fs::exists(content, ec)) {
            // Trust but verify: a damaged cache file is downloaded again rather than exported.
            if (sha256(readFile(content)) == hash)
                return {content.string(), hash, static_cast<std::int64_t>(fs::file_size(content)), false};
        }
    }
    std::string bytes;
    try {
        bytes = downloader_(url);
    } catch (const Exception& e) {
        throw NetworkError("the receipt at " + urlForMessages(url) + " could not be downloaded: " + describe(e));
    } catch (const std::exception& e) {
        throw NetworkError("the receipt at " + urlForMessages(url) + " could not be downloaded: " + e.what());
    }
    auto size = static_cast<std::int64_t>(bytes.size());
    if (size > maxBytes_)
        throw ProtocolError("the receipt at " + urlForMessages(url) + " is " + std::to_string(size) +
                            " bytes, more than the limit of " + std::to_string(maxBytes_));
    if (expectedSize > 0 && size != expectedSize)
        throw ProtocolError("the receipt at " + urlForMessages(url) + " arrived with " + std::to_string(size) +
                            " bytes, Pleo announced " + std::to_string(expectedSize) + " (truncated download?)");
    std::string hash = sha256(bytes);
    fs::path content = fs::path(dir_) / "sha256" / hash.substr(0, 2) / hash;
    if (!fs::exists(content)) writeAtomically(content, bytes);
    writeAtomically(index, hash);
    return {content.string(), hash, size, true};
}

}  // namespace ledgerbridge::exporter

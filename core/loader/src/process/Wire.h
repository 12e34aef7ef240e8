// The byte encoding of the plugin host protocol (ProcessProtocol.h): little-endian fixed-width
// integers and length-prefixed byte strings, nothing else. Compact and fast to write and read
// (a 100-entry push batch is one frame of ~60 KB), and a reader that checks every length
// against what is left, so a child writing garbage is a named protocol violation, never a
// read past the buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::loader::wire {

/// The other side sent bytes that do not decode: a protocol violation.
class ProtocolError : public Exception {
public:
    using Exception::Exception;
};

class Encoder {
public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { fixed(v); }
    void u64(std::uint64_t v) { fixed(v); }
    void i32(std::int32_t v) { fixed(static_cast<std::uint32_t>(v)); }
    void i64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v)); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void str(const std::string& s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }
    void optStr(const std::optional<std::string>& s) {
        boolean(s.has_value());
        if (s) str(*s);
    }
    std::string& bytes() { return out_; }

private:
    template <typename T>
    void fixed(T v) {
        for (std::size_t i = 0; i < sizeof(T); ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    std::string out_;
};

class Decoder {
public:
    explicit Decoder(const std::string& bytes) : data_(bytes.data()), left_(bytes.size()) {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(*take(1)); }
    std::uint32_t u32() { return fixed<std::uint32_t>(); }
    std::uint64_t u64() { return fixed<std::uint64_t>(); }
    std::int32_t i32() { return static_cast<std::int32_t>(fixed<std::uint32_t>()); }
    std::int64_t i64() { return static_cast<std::int64_t>(fixed<std::uint64_t>()); }
    bool boolean() {
        const std::uint8_t v = u8();
        if (v > 1) throw ProtocolError("a boolean of value " + std::to_string(v));
        return v == 1;
    }
    std::string str() {
        const std::uint32_t n = u32();
        const char* p = take(n);
        return std::string(p, n);
    }
    std::optional<std::string> optStr() {
        if (!boolean()) return std::nullopt;
        return str();
    }
    /// A count of elements that each take at least `minBytes`: refused when more than what is left.
    std::size_t count(std::size_t minBytes = 1) {
        const std::uint32_t n = u32();
        if (minBytes > 0 && n > left_ / minBytes)
            throw ProtocolError("a count of " + std::to_string(n) + " with " + std::to_string(left_) + " bytes left");
        return n;
    }
    bool done() const { return left_ == 0; }
    void expectDone(const char* what) const {
        if (left_ != 0)
            throw ProtocolError(std::string(what) + " has " + std::to_string(left_) + " bytes past its end");
    }

private:
    const char* take(std::size_t n) {
        if (n > left_)
            throw ProtocolError("a field of " + std::to_string(n) + " bytes with " + std::to_string(left_) + " left");
        const char* p = data_;
        data_ += n;
        left_ -= n;
        return p;
    }
    template <typename T>
    T fixed() {
        const auto* p = reinterpret_cast<const unsigned char*>(take(sizeof(T)));
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v | (static_cast<T>(p[i]) << (8 * i)));
        return v;
    }
    const char* data_;
    std::size_t left_;
};

}  // namespace ledgerbridge::loader::wire

// UTF-8 -> Windows-1252 for DATEV files: every character is either encoded or replaced by '?'
// deliberately and counted, so the caller can log what was lost. Pure, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace ledgerbridge::datev {

/// The Windows-1252 bytes of UTF-8 `text`. A code point Windows-1252 lacks (or a malformed
/// UTF-8 sequence) becomes '?' and increments `*replaced` when it is given. Never throws
/// except std::bad_alloc.
std::string toCp1252(const std::string& text, std::size_t* replaced = nullptr);

/// The UTF-8 text of Windows-1252 `bytes` (what DATEV's export files hold). The five bytes
/// Windows-1252 leaves unassigned (0x81, 0x8D, 0x8F, 0x90, 0x9D) give nullopt: such a file is
/// not Windows-1252.
std::optional<std::string> fromCp1252(const std::string& bytes);

/// Decodes UTF-8 into code points; a malformed byte yields U+FFFD. Shared with the truncation
/// of text fields, which counts characters, not bytes.
std::u32string decodeUtf8(const std::string& text);

/// Encodes code points as UTF-8.
std::string encodeUtf8(const std::u32string& text);

}  // namespace ledgerbridge::datev

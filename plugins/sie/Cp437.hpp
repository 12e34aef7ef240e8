// UTF-8 -> IBM code page 437 ("PC8", the character set SIE files declare with #FORMAT PC8).
// Every character is encoded, spelled with its nearest ASCII letters, or replaced by '?' —
// deliberately and counted. Pure.
#pragma once

#include <cstddef>
#include <string>

namespace ledgerbridge::sie {

/// The CP437 bytes of UTF-8 `text`. Latin letters and symbols CP437 lacks are spelled in ASCII
/// (Ł -> L, ø -> o, œ -> oe, € -> EUR, “ -> ", … -> ...), counted in `*transliterated`; every
/// other character (Cyrillic, CJK, emoji, malformed UTF-8) becomes '?', counted in `*replaced`.
/// CP437 itself covers ASCII and å ä ö Å Ä Ö é É ü Ü æ Æ ß £ ¥ ½ ¼ ° ± ² …. Never throws except
/// std::bad_alloc.
std::string toCp437(const std::string& text, std::size_t* replaced = nullptr, std::size_t* transliterated = nullptr);

/// The UTF-8 text of CP437 `bytes` (what an SIE file with #FORMAT PC8 holds). Every byte is a
/// character in CP437, so this never fails; bytes below 0x80 are ASCII.
std::string fromCp437(const std::string& bytes);

}  // namespace ledgerbridge::sie

// UTF-8 -> IBM code page 437 ("PC8", the character set SIE files declare with #FORMAT PC8).
// Every character is either encoded or replaced by '?' deliberately and counted. Pure.
#pragma once

#include <cstddef>
#include <string>

namespace ledgerbridge::sie {

/// The CP437 bytes of UTF-8 `text`. Characters CP437 lacks (and malformed UTF-8) become '?'
/// and increment `*replaced` when given. Covers ASCII and CP437's Latin letters and symbols
/// (å ä ö Å Ä Ö é É ü Ü æ Æ ø-less Nordic set, ß, £, ¥, ½, ¼, °, ±, ² …). Never throws except
/// std::bad_alloc.
std::string toCp437(const std::string& text, std::size_t* replaced = nullptr);

}  // namespace ledgerbridge::sie

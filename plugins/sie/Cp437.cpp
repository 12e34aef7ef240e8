// CP437 for SIE files: the encoder of the writer (a UTF-8 decoder, the upper half of code page 437, the
// nearest ASCII spelling of what CP437 lacks) and the decoder of the master-data reader.
#include "Cp437.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace ledgerbridge::sie {

namespace {
// Code points of bytes 0x80..0xFF in code page 437 (the box-drawing and Greek part included,
// so any character CP437 has is encoded).
constexpr std::array<char32_t, 128> kUpper = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE,
    0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6,
    0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA,
    0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514,
    0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
    0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
    0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320,
    0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0};

// Latin letters and symbols (U+00A0..U+024F and common punctuation) CP437 lacks, by code
// point: the letter without its diacritics (Unicode NFKD minus combining marks, generated
// with Python's unicodedata), or a conventional spelling (ø -> o, ł -> l, œ -> oe, € -> EUR,
// curly quotes -> straight ones). Sorted for binary search.
constexpr std::pair<char32_t, const char*> kNearest[] = {
    {0x00A4, "$"}, {0x00A6, "|"}, {0x00A7, "S"}, {0x00A8, "\""}, {0x00A9, "(c)"}, {0x00AE, "(R)"},
    {0x00AF, "-"}, {0x00B3, "3"}, {0x00B4, "'"}, {0x00B8, ","}, {0x00B9, "1"}, {0x00BE, "3/4"}, {0x00C0, "A"},
    {0x00C1, "A"}, {0x00C2, "A"}, {0x00C3, "A"}, {0x00C8, "E"}, {0x00CA, "E"}, {0x00CB, "E"}, {0x00CC, "I"},
    {0x00CD, "I"}, {0x00CE, "I"}, {0x00CF, "I"}, {0x00D0, "D"}, {0x00D2, "O"}, {0x00D3, "O"}, {0x00D4, "O"},
    {0x00D5, "O"}, {0x00D7, "x"}, {0x00D8, "O"}, {0x00D9, "U"}, {0x00DA, "U"}, {0x00DB, "U"}, {0x00DD, "Y"},
    {0x00DE, "Th"}, {0x00E3, "a"}, {0x00F0, "d"}, {0x00F5, "o"}, {0x00F8, "o"}, {0x00FD, "y"}, {0x00FE, "th"},
    {0x0100, "A"}, {0x0101, "a"}, {0x0102, "A"}, {0x0103, "a"}, {0x0104, "A"}, {0x0105, "a"}, {0x0106, "C"},
    {0x0107, "c"}, {0x0108, "C"}, {0x0109, "c"}, {0x010A, "C"}, {0x010B, "c"}, {0x010C, "C"}, {0x010D, "c"},
    {0x010E, "D"}, {0x010F, "d"}, {0x0110, "D"}, {0x0111, "d"}, {0x0112, "E"}, {0x0113, "e"}, {0x0114, "E"},
    {0x0115, "e"}, {0x0116, "E"}, {0x0117, "e"}, {0x0118, "E"}, {0x0119, "e"}, {0x011A, "E"}, {0x011B, "e"},
    {0x011C, "G"}, {0x011D, "g"}, {0x011E, "G"}, {0x011F, "g"}, {0x0120, "G"}, {0x0121, "g"}, {0x0122, "G"},
    {0x0123, "g"}, {0x0124, "H"}, {0x0125, "h"}, {0x0126, "H"}, {0x0127, "h"}, {0x0128, "I"}, {0x0129, "i"},
    {0x012A, "I"}, {0x012B, "i"}, {0x012C, "I"}, {0x012D, "i"}, {0x012E, "I"}, {0x012F, "i"}, {0x0130, "I"},
    {0x0131, "i"}, {0x0132, "IJ"}, {0x0133, "ij"}, {0x0134, "J"}, {0x0135, "j"}, {0x0136, "K"}, {0x0137, "k"},
    {0x0138, "k"}, {0x0139, "L"}, {0x013A, "l"}, {0x013B, "L"}, {0x013C, "l"}, {0x013D, "L"}, {0x013E, "l"},
    {0x013F, "L"}, {0x0140, "l"}, {0x0141, "L"}, {0x0142, "l"}, {0x0143, "N"}, {0x0144, "n"}, {0x0145, "N"},
    {0x0146, "n"}, {0x0147, "N"}, {0x0148, "n"}, {0x0149, "'n"}, {0x014C, "O"}, {0x014D, "o"}, {0x014E, "O"},
    {0x014F, "o"}, {0x0150, "O"}, {0x0151, "o"}, {0x0152, "OE"}, {0x0153, "oe"}, {0x0154, "R"}, {0x0155, "r"},
    {0x0156, "R"}, {0x0157, "r"}, {0x0158, "R"}, {0x0159, "r"}, {0x015A, "S"}, {0x015B, "s"}, {0x015C, "S"},
    {0x015D, "s"}, {0x015E, "S"}, {0x015F, "s"}, {0x0160, "S"}, {0x0161, "s"}, {0x0162, "T"}, {0x0163, "t"},
    {0x0164, "T"}, {0x0165, "t"}, {0x0168, "U"}, {0x0169, "u"}, {0x016A, "U"}, {0x016B, "u"}, {0x016C, "U"},
    {0x016D, "u"}, {0x016E, "U"}, {0x016F, "u"}, {0x0170, "U"}, {0x0171, "u"}, {0x0172, "U"}, {0x0173, "u"},
    {0x0174, "W"}, {0x0175, "w"}, {0x0176, "Y"}, {0x0177, "y"}, {0x0178, "Y"}, {0x0179, "Z"}, {0x017A, "z"},
    {0x017B, "Z"}, {0x017C, "z"}, {0x017D, "Z"}, {0x017E, "z"}, {0x017F, "s"}, {0x0180, "b"}, {0x0181, "B"},
    {0x01A0, "O"}, {0x01A1, "o"}, {0x01AF, "U"}, {0x01B0, "u"}, {0x01C4, "DZ"}, {0x01C5, "Dz"}, {0x01C6, "dz"},
    {0x01C7, "LJ"}, {0x01C8, "Lj"}, {0x01C9, "lj"}, {0x01CA, "NJ"}, {0x01CB, "Nj"}, {0x01CC, "nj"},
    {0x01CD, "A"}, {0x01CE, "a"}, {0x01CF, "I"}, {0x01D0, "i"}, {0x01D1, "O"}, {0x01D2, "o"}, {0x01D3, "U"},
    {0x01D4, "u"}, {0x01D5, "U"}, {0x01D6, "u"}, {0x01D7, "U"}, {0x01D8, "u"}, {0x01D9, "U"}, {0x01DA, "u"},
    {0x01DB, "U"}, {0x01DC, "u"}, {0x01DE, "A"}, {0x01DF, "a"}, {0x01E0, "A"}, {0x01E1, "a"}, {0x01E6, "G"},
    {0x01E7, "g"}, {0x01E8, "K"}, {0x01E9, "k"}, {0x01EA, "O"}, {0x01EB, "o"}, {0x01EC, "O"}, {0x01ED, "o"},
    {0x01F0, "j"}, {0x01F1, "DZ"}, {0x01F2, "Dz"}, {0x01F3, "dz"}, {0x01F4, "G"}, {0x01F5, "g"}, {0x01F8, "N"},
    {0x01F9, "n"}, {0x01FA, "A"}, {0x01FB, "a"}, {0x0200, "A"}, {0x0201, "a"}, {0x0202, "A"}, {0x0203, "a"},
    {0x0204, "E"}, {0x0205, "e"}, {0x0206, "E"}, {0x0207, "e"}, {0x0208, "I"}, {0x0209, "i"}, {0x020A, "I"},
    {0x020B, "i"}, {0x020C, "O"}, {0x020D, "o"}, {0x020E, "O"}, {0x020F, "o"}, {0x0210, "R"}, {0x0211, "r"},
    {0x0212, "R"}, {0x0213, "r"}, {0x0214, "U"}, {0x0215, "u"}, {0x0216, "U"}, {0x0217, "u"}, {0x0218, "S"},
    {0x0219, "s"}, {0x021A, "T"}, {0x021B, "t"}, {0x021E, "H"}, {0x021F, "h"}, {0x0226, "A"}, {0x0227, "a"},
    {0x0228, "E"}, {0x0229, "e"}, {0x022A, "O"}, {0x022B, "o"}, {0x022C, "O"}, {0x022D, "o"}, {0x022E, "O"},
    {0x022F, "o"}, {0x0230, "O"}, {0x0231, "o"}, {0x0232, "Y"}, {0x0233, "y"}, {0x2002, " "}, {0x2003, " "},
    {0x2009, " "}, {0x2010, "-"}, {0x2011, "-"}, {0x2012, "-"}, {0x2013, "-"}, {0x2014, "-"}, {0x2018, "'"},
    {0x2019, "'"}, {0x201A, "'"}, {0x201B, "'"}, {0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""}, {0x201F, "\""},
    {0x2022, "*"}, {0x2026, "..."}, {0x202F, " "}, {0x2039, "<"}, {0x203A, ">"}, {0x20AC, "EUR"},
    {0x2122, "TM"}, {0x2212, "-"},
};

const char* nearest(char32_t cp) {
    const auto* end = std::end(kNearest);
    const auto* it = std::lower_bound(std::begin(kNearest), end, cp,
                                      [](const std::pair<char32_t, const char*>& e, char32_t c) { return e.first < c; });
    return it != end && it->first == cp ? it->second : nullptr;
}

// Decodes one UTF-8 sequence at text[i]; advances i. Malformed input yields U+FFFD.
char32_t next(const std::string& text, std::size_t& i) {
    const auto b = static_cast<unsigned char>(text[i]);
    const int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + static_cast<std::size_t>(len) > text.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
        if ((c >> 6) != 0x2) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    i += static_cast<std::size_t>(len);
    return cp;
}
}  // namespace

std::string toCp437(const std::string& text, std::size_t* replaced, std::size_t* transliterated) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = next(text, i);
        if (cp < 0x80) {
            out += static_cast<char>(cp);
            continue;
        }
        bool found = false;
        for (std::size_t k = 0; k < kUpper.size() && !found; ++k)
            if (kUpper[k] == cp) {
                out += static_cast<char>(0x80 + k);
                found = true;
            }
        if (found) continue;
        if (const char* ascii = nearest(cp)) {
            out += ascii;
            if (transliterated) ++*transliterated;
        } else {
            out += '?';
            if (replaced) ++*replaced;
        }
    }
    return out;
}

std::string fromCp437(const std::string& bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        const char32_t cp = b < 0x80 ? b : kUpper[b - 0x80];
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {  // CP437 has nothing beyond the Basic Multilingual Plane
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

}  // namespace ledgerbridge::sie

// Generates receipt bytes and signs/verifies their expiring URLs.
#include "Receipts.h"

#include <cstdio>

#include "Ids.h"

namespace lbsim {

namespace {

std::string hex(const std::string& raw) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : raw) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

// A valid one-page PDF whose text names the item, with a correct xref table.
std::string pdf(int company, std::uint64_t index) {
    std::string text = "Receipt company " + std::to_string(company) + " item " + std::to_string(index);
    std::string content = "BT /F1 12 Tf 50 750 Td (" + text + ") Tj ET";
    std::string objs[5] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
    std::string out = "%PDF-1.4\n";
    std::size_t offsets[5];
    for (int i = 0; i < 5; ++i) {
        offsets[i] = out.size();
        out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
    }
    std::size_t xref = out.size();
    out += "xref\n0 6\n0000000000 65535 f \n";
    for (auto off : offsets) {
        char line[24];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        out += line;
    }
    out += "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
}

// A valid 1x1 grey PNG (fixed bytes; CRCs precomputed).
std::string png() {
    static const unsigned char b[] = {
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
        0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
        0x42, 0x60, 0x82};
    return std::string(reinterpret_cast<const char*>(b), sizeof b);
}

}  // namespace

Receipts::Receipts(std::int64_t lifetimeSeconds) : key_(randomToken(32)), lifetime_(lifetimeSeconds) {}

std::string Receipts::bytes(int company, std::uint64_t index, const std::string& kind) {
    return kind == "png" ? png() : pdf(company, index);
}

std::string Receipts::mimeType(const std::string& kind) { return kind == "png" ? "image/png" : "application/pdf"; }

std::string Receipts::sign(const std::string& what) const { return hex(hmacSha256(key_, what)); }

std::string Receipts::signedPath(int company, std::uint64_t index, const std::string& kind, std::int64_t now) const {
    std::string base = "/files/" + std::to_string(company) + "/" + std::to_string(index) + "/" + kind;
    std::string expires = std::to_string(now + lifetime_);
    return base + "?expires=" + expires + "&signature=" + sign(base + "|" + expires);
}

std::string Receipts::verify(int company, std::uint64_t index, const std::string& kind, const std::string& expires,
                             const std::string& signature, std::int64_t now) const {
    std::string base = "/files/" + std::to_string(company) + "/" + std::to_string(index) + "/" + kind;
    if (signature != sign(base + "|" + expires)) return "The file URL signature is not valid.";
    long long exp = 0;
    try {
        exp = std::stoll(expires);
    } catch (const std::exception&) {
        return "The file URL expiry is not valid.";
    }
    if (now >= exp) return "The file URL has expired; fetch the export item again for a fresh URL.";
    return "";
}

}  // namespace lbsim

// Closest-match suggestions for unknown keys: see Suggest.h.
#include "ledgerbridge/config/Suggest.h"

#include <algorithm>
#include <cctype>

namespace ledgerbridge::config {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Levenshtein distance with adjacent transpositions counted as one edit (ouput -> output is
/// one insertion, ouptut -> output one swap): the typos people make in key names.
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string w = lower(word);
    std::string best;
    std::size_t bestDistance = 0;
    for (const std::string& c : candidates) {
        const std::size_t d = distance(w, lower(c));
        const std::size_t allowed = std::max<std::size_t>(1, std::max(w.size(), c.size()) / 3);
        if (d <= allowed && (best.empty() || d < bestDistance)) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string m = closestMatch(word, candidates);
    return m.empty() ? "" : " (did you mean '" + m + "'?)";
}

}  // namespace ledgerbridge::config

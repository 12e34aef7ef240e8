// "Did you mean ...?" for a misspelt key: the known name closest to what was written.
#pragma once

#include <string>
#include <vector>

namespace ledgerbridge::config {

/// The candidate closest to `word` by edit distance (case-insensitive), when it is close
/// enough to be a likely typo: at most a third of the longer name's letters differ (at least
/// one). Empty when nothing is that close.
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" for closestMatch, or "" when there is none.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ledgerbridge::config

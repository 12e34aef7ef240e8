// Reading TZif files (RFC 8536, versions 1 to 4) and evaluating POSIX TZ rules, without the C
// library's process-global time zone state. See TimeZone.h for why.
#include "ledgerbridge/service/TimeZone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "CivilTime.h"
#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::service {

// ---- POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3") --------------------------------------------

struct TimeZone::Rule {
    struct Date {
        char kind = 'M';  ///< 'J' (1..365, no Feb 29), 'D' (0..365), 'M' (month.week.weekday)
        int a = 0, b = 0, c = 0;
    };
    int stdOffset = 0;  ///< seconds east of UTC
    bool hasDst = false;
    int dstOffset = 0;
    Date start, end;
    int startTime = 7200, endTime = 7200;  ///< local seconds after midnight (may be <0 or >24h)

    /// Day of the year (0-based) of `d` in year `y`.
    static int dayOfYear(const Date& d, std::int64_t y) {
        if (d.kind == 'J') return d.a - 1 + (civil::isLeap(y) && d.a >= 60 ? 1 : 0);
        if (d.kind == 'D') return d.a;
        const std::int64_t first = civil::daysFromCivil(y, d.a, 1);
        int day = 1 + (d.c - civil::weekday(first) + 7) % 7 + (d.b - 1) * 7;
        while (day > civil::daysInMonth(y, d.a)) day -= 7;
        return static_cast<int>(first + day - 1 - civil::daysFromCivil(y, 1, 1));
    }

    int offsetAt(std::int64_t utc) const {
        if (!hasDst) return stdOffset;
        const std::int64_t year = civil::civilFromDays(civil::floorDiv(utc + stdOffset, 86400)).year;
        const std::int64_t jan1 = civil::daysFromCivil(year, 1, 1) * 86400;
        const std::int64_t s = jan1 + std::int64_t{dayOfYear(start, year)} * 86400 + startTime - stdOffset;
        const std::int64_t e = jan1 + std::int64_t{dayOfYear(end, year)} * 86400 + endTime - dstOffset;
        const bool dst = s < e ? (utc >= s && utc < e) : !(utc >= e && utc < s);
        return dst ? dstOffset : stdOffset;
    }
};

namespace {

[[noreturn]] void badRule(const std::string& zone, const std::string& rule, const std::string& why) {
    throw ConfigError("The time zone " + zone + " has a POSIX rule \"" + rule + "\" that cannot be read (" + why +
                      "); reinstall the tzdata package or pick another zone name.");
}

class RuleParser {
public:
    RuleParser(const std::string& zone, const std::string& text) : zone_(zone), text_(text) {}

    TimeZone::Rule parse() {
        TimeZone::Rule r;
        name();
        r.stdOffset = -offset(true);
        if (done()) return r;
        r.hasDst = true;
        name();
        r.dstOffset = r.stdOffset + 3600;
        if (!done() && peek() != ',') r.dstOffset = -offset(true);
        if (done()) {  // POSIX default: US rules
            r.start = {'M', 3, 2, 0};
            r.end = {'M', 11, 1, 0};
            return r;
        }
        expect(',');
        r.start = date();
        if (!done() && peek() == '/') { ++pos_; r.startTime = offset(false); }
        expect(',');
        r.end = date();
        if (!done() && peek() == '/') { ++pos_; r.endTime = offset(false); }
        if (!done()) fail("unexpected text after the rule");
        return r;
    }

private:
    bool done() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }
    [[noreturn]] void fail(const std::string& why) { badRule(zone_, text_, why); }
    void expect(char c) {
        if (done() || peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    void name() {
        if (!done() && peek() == '<') {
            const auto close = text_.find('>', pos_);
            if (close == std::string::npos) fail("unterminated <name>");
            pos_ = close + 1;
            return;
        }
        const std::size_t begin = pos_;
        while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
        if (pos_ - begin < 3) fail("zone abbreviation too short");
    }
    int number() {
        if (done() || !std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a number");
        int n = 0;
        while (!done() && std::isdigit(static_cast<unsigned char>(peek())) && n < 100000) n = n * 10 + (text_[pos_++] - '0');
        return n;
    }
    /// [+-]hh[:mm[:ss]] in seconds (sign as written).
    int offset(bool required) {
        (void)required;
        int sign = 1;
        if (!done() && (peek() == '+' || peek() == '-')) sign = text_[pos_++] == '-' ? -1 : 1;
        int seconds = number() * 3600;
        if (!done() && peek() == ':') { ++pos_; seconds += number() * 60; }
        if (!done() && peek() == ':') { ++pos_; seconds += number(); }
        return sign * seconds;
    }
    TimeZone::Rule::Date date() {
        TimeZone::Rule::Date d;
        if (!done() && peek() == 'M') {
            ++pos_;
            d.kind = 'M';
            d.a = number();
            expect('.');
            d.b = number();
            expect('.');
            d.c = number();
            if (d.a < 1 || d.a > 12 || d.b < 1 || d.b > 5 || d.c > 6) fail("month.week.day out of range");
        } else if (!done() && peek() == 'J') {
            ++pos_;
            d.kind = 'J';
            d.a = number();
            if (d.a < 1 || d.a > 365) fail("Julian day out of range");
        } else {
            d.kind = 'D';
            d.a = number();
            if (d.a > 365) fail("day out of range");
        }
        return d;
    }

    const std::string& zone_;
    const std::string& text_;
    std::size_t pos_ = 0;
};

// ---- TZif ---------------------------------------------------------------------------------

[[noreturn]] void badFile(const std::string& zone, const std::string& why) {
    throw ConfigError("The time zone file of " + zone + " is not a valid TZif file (" + why +
                      "); reinstall the tzdata package.");
}

std::int64_t readBig(const std::string& b, std::size_t at, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

bool validZoneName(const std::string& name) {
    if (name.empty() || name.size() > 128 || name.front() == '/' || name.front() == '.') return false;
    if (name.find("..") != std::string::npos) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
    });
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::fromPosixRule(const std::string& name, const std::string& rule) {
    std::shared_ptr<TimeZone> tz(new TimeZone());
    tz->name_ = name;
    auto parsed = std::make_shared<Rule>(RuleParser(name, rule).parse());
    tz->initialOffset_ = parsed->stdOffset;
    tz->rule_ = std::move(parsed);
    return tz;
}

std::shared_ptr<const TimeZone> TimeZone::fromTzif(const std::string& name, const std::string& b) {
    if (b.size() < 44 || b.compare(0, 4, "TZif") != 0) badFile(name, "no TZif header");
    auto counts = [&](std::size_t at, std::int64_t c[6]) {
        if (b.size() < at + 44) badFile(name, "truncated header");
        for (int i = 0; i < 6; ++i) c[i] = readBig(b, at + 20 + static_cast<std::size_t>(i) * 4, 4);
        for (int i = 0; i < 6; ++i)
            if (c[i] < 0 || c[i] > 100000) badFile(name, "implausible counts");
    };
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    std::int64_t c[6];
    counts(0, c);
    const char version = b[4];
    std::size_t at = 44;
    std::size_t width = 4;
    auto blockSize = [&](std::size_t w) {
        return static_cast<std::size_t>(c[3]) * w + static_cast<std::size_t>(c[3]) + static_cast<std::size_t>(c[4]) * 6 +
               static_cast<std::size_t>(c[5]) + static_cast<std::size_t>(c[2]) * (w + 4) + static_cast<std::size_t>(c[1]) +
               static_cast<std::size_t>(c[0]);
    };
    if (version >= '2') {  // skip the 32-bit block, use the 64-bit one
        at += blockSize(4);
        if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) badFile(name, "missing second header");
        counts(at, c);
        at += 44;
        width = 8;
    }
    if (b.size() < at + blockSize(width)) badFile(name, "truncated data");
    const auto timecnt = static_cast<std::size_t>(c[3]);
    const auto typecnt = static_cast<std::size_t>(c[4]);
    if (typecnt == 0) badFile(name, "no local time types");

    std::shared_ptr<TimeZone> tz(new TimeZone());
    tz->name_ = name;
    const std::size_t idxAt = at + timecnt * width;
    const std::size_t typesAt = idxAt + timecnt;
    std::vector<int> typeOffsets(typecnt);
    for (std::size_t i = 0; i < typecnt; ++i) typeOffsets[i] = static_cast<int>(readBig(b, typesAt + i * 6, 4));
    for (std::size_t i = 0; i < timecnt; ++i) {
        const auto type = static_cast<unsigned char>(b[idxAt + i]);
        if (type >= typecnt) badFile(name, "transition names an unknown type");
        tz->transitions_.push_back(readBig(b, at + i * width, width));
        tz->transitionOffsets_.push_back(typeOffsets[type]);
    }
    if (!std::is_sorted(tz->transitions_.begin(), tz->transitions_.end())) badFile(name, "transitions out of order");
    tz->initialOffset_ = typeOffsets[0];

    if (version >= '2') {
        const std::size_t footer = at + blockSize(width);
        if (footer < b.size() && b[footer] == '\n') {
            const auto close = b.find('\n', footer + 1);
            if (close == std::string::npos) badFile(name, "unterminated footer");
            const std::string rule = b.substr(footer + 1, close - footer - 1);
            if (!rule.empty()) tz->rule_ = std::make_shared<Rule>(RuleParser(name, rule).parse());
        }
    }
    return tz;
}

std::shared_ptr<const TimeZone> TimeZone::load(const std::string& name, const std::string& zoneinfoDir) {
    if (!validZoneName(name))
        throw ConfigError("\"" + name + "\" is not an IANA time zone name; write one like Europe/Copenhagen or UTC.");
    std::string dir = zoneinfoDir;
    if (dir.empty()) {
        const char* env = std::getenv("TZDIR");
        dir = env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
    }
    const std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError("The time zone " + name + " is unknown: " + path +
                          " does not exist; check the spelling (e.g. Europe/Copenhagen) or install the tzdata package.");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return fromTzif(name, bytes.str());
}

int TimeZone::offsetAt(std::int64_t utc) const {
    if (transitions_.empty() || utc < transitions_.front()) {
        if (transitions_.empty() && rule_) return rule_->offsetAt(utc);
        return initialOffset_;
    }
    if (utc >= transitions_.back() && rule_) return rule_->offsetAt(utc);
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
    return transitionOffsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

LocalResolution TimeZone::resolve(std::int64_t local) const {
    // Offsets never exceed a day, and real zones never change twice within two days, so the
    // offsets in effect a day either side are the only candidates.
    std::set<std::int64_t> found;
    int lowOffset = offsetAt(local), highOffset = lowOffset;
    for (const std::int64_t probe : {local - 86400, local, local + 86400}) {
        const int o = offsetAt(probe);
        lowOffset = std::min(lowOffset, o);
        highOffset = std::max(highOffset, o);
        if (offsetAt(local - o) == o) found.insert(local - o);
    }
    LocalResolution r;
    if (!found.empty()) {
        r.first = *found.begin();
        r.second = *found.rbegin();
        r.kind = found.size() > 1 ? LocalResolution::Kind::Ambiguous : LocalResolution::Kind::Unique;
        return r;
    }
    // In a gap: the transition lies between local - highOffset and local - lowOffset.
    std::int64_t lo = local - highOffset, hi = local - lowOffset;
    const int before = offsetAt(lo);
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (offsetAt(mid) == before ? lo : hi) = mid;
    }
    r.kind = LocalResolution::Kind::Gap;
    r.first = r.second = hi;
    return r;
}

}  // namespace ledgerbridge::service

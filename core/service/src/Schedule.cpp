// Parsing schedules (intervals and cron expressions with a time zone) and computing the next
// fire time across DST changes. The rules are described in Schedule.h.
#include "ledgerbridge/service/Schedule.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <random>
#include <sstream>
#include <vector>

#include "CivilTime.h"
#include "ledgerbridge/common/Exception.h"

namespace ledgerbridge::service {

struct Schedule::Fields {
    std::uint64_t minutes = 0, hours = 0, days = 0, months = 0, weekdays = 0;  // bit sets
    bool daysRestricted = false, weekdaysRestricted = false;
};

namespace {

constexpr const char* kExamples = "e.g. \"every 15m\", \"every 1h jitter 2m\" or \"cron 0 6 * * 1-5 Europe/Copenhagen\"";
constexpr std::int64_t kSearchYears = 30;  // "0 0 29 2 1" fires only every 28 years or so

// `key` is "NAME.schedule" or "NAME.sync_schedule" (Schedule::parse's connection and key).
[[noreturn]] void fail(const std::string& key, const std::string& text, const std::string& why) {
    throw ConfigError("connection." + key + " = \"" + text + "\" is not a valid schedule: " + why +
                      ". Write an interval or a cron expression with a time zone, " + kExamples + ".");
}

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

/// "15m" -> 900 s; 0 when malformed.
std::int64_t duration(const std::string& w) {
    if (w.size() < 2 || w.size() > 12) return 0;
    const char unit = w.back();
    const std::string digits = w.substr(0, w.size() - 1);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return 0;
    const std::int64_t n = std::stoll(digits);
    switch (unit) {
        case 's': return n;
        case 'm': return n * 60;
        case 'h': return n * 3600;
        case 'd': return n * 86400;
        default: return 0;
    }
}

struct FieldSpec {
    const char* name;
    int min, max;
    std::array<const char*, 12> names;  // index 0 = value `min` (months) or 0 (weekdays)
    int nameBase;
};

const FieldSpec kSpecs[5] = {
    {"minute", 0, 59, {}, 0},
    {"hour", 0, 23, {}, 0},
    {"day of month", 1, 31, {}, 0},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}, 1},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, 0},
};

class FieldParser {
public:
    FieldParser(const FieldSpec& spec, const std::string& connection, const std::string& text)
        : spec_(spec), connection_(connection), text_(text) {}

    std::uint64_t parse(const std::string& field) {
        std::uint64_t bits = 0;
        std::size_t start = 0;
        while (true) {
            const auto comma = field.find(',', start);
            bits |= item(field.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return bits;
    }

private:
    [[noreturn]] void bad(const std::string& what) {
        fail(connection_, text_, std::string("the ") + spec_.name + " field " + what);
    }

    int value(const std::string& w) {
        if (w.empty()) bad("has an empty value");
        if (std::all_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            if (w.size() > 3) bad("has the out-of-range value " + w);
            const int v = std::stoi(w);
            if (v < spec_.min || v > spec_.max)
                bad("has the value " + w + " outside " + std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
            return v;
        }
        std::string lower;
        for (char c : w) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (std::size_t i = 0; i < spec_.names.size(); ++i)
            if (spec_.names[i] != nullptr && lower == spec_.names[i]) return static_cast<int>(i) + spec_.nameBase;
        bad("has \"" + w + "\", which is neither a number nor a known name");
    }

    std::uint64_t item(const std::string& it) {
        int step = 1;
        std::string range = it;
        const auto slash = it.find('/');
        if (slash != std::string::npos) {
            range = it.substr(0, slash);
            const std::string s = it.substr(slash + 1);
            if (s.empty() || s.size() > 3 ||
                !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
                std::stoi(s) == 0)
                bad("has the step \"" + s + "\"; a step is a positive number, as in */15");
            step = std::stoi(s);
        }
        int lo = spec_.min, hi = spec_.max;
        if (range != "*") {
            const auto dash = range.find('-');
            if (dash == std::string::npos) {
                lo = value(range);
                hi = slash != std::string::npos ? spec_.max : lo;  // "5/15" = "5-max/15"
            } else {
                lo = value(range.substr(0, dash));
                hi = value(range.substr(dash + 1));
                if (hi < lo) bad("has the backwards range " + range);
            }
        }
        std::uint64_t bits = 0;
        for (int v = lo; v <= hi; v += step) bits |= std::uint64_t{1} << v;
        return bits;
    }

    const FieldSpec& spec_;
    const std::string& connection_;
    const std::string& text_;
};

bool has(std::uint64_t bits, std::int64_t v) { return ((bits >> v) & 1U) != 0; }

}  // namespace

RandomSource defaultRandomSource() {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [engine]() { return (*engine)(); };
}

Schedule Schedule::parse(const std::string& text, const std::string& connection, const std::string& zoneinfoDir,
                         const std::string& keyName) {
    const std::string key = connection + "." + keyName;
    Schedule s;
    s.text_ = text;
    std::vector<std::string> w = words(text);
    if (w.empty()) fail(key, text, "it is empty");

    // Optional trailing "jitter <duration>".
    if (w.size() >= 2 && w[w.size() - 2] == "jitter") {
        const std::int64_t j = duration(w.back());
        if (j <= 0 && w.back() != "0s") fail(key, text, "the jitter \"" + w.back() + "\" is not a duration like 30s, 2m or 1h");
        s.jitter_ = std::chrono::seconds(j);
        w.resize(w.size() - 2);
    }

    if (w[0] == "every") {
        if (w.size() != 2) fail(key, text, "\"every\" takes exactly one duration, like 15m");
        const std::int64_t i = duration(w[1]);
        if (i <= 0) fail(key, text, "the interval \"" + w[1] + "\" is not a positive duration like 30s, 15m, 1h or 1d");
        s.kind_ = Kind::Interval;
        s.interval_ = std::chrono::seconds(i);
        if (s.jitter_ >= s.interval_) fail(key, text, "the jitter must be shorter than the interval");
        return s;
    }
    if (w[0] != "cron") fail(key, text, "it must start with \"every\" or \"cron\"");
    if (w.size() != 7 && w.size() != 6)
        fail(key, text, "a cron expression has five fields (minute hour day-of-month month day-of-week) and a time zone");

    // The fields before the zone: "cron 61 6 * * *" is first of all a minute out of range.
    auto fields = std::make_shared<Fields>();
    fields->minutes = FieldParser(kSpecs[0], key, text).parse(w[1]);
    fields->hours = FieldParser(kSpecs[1], key, text).parse(w[2]);
    fields->days = FieldParser(kSpecs[2], key, text).parse(w[3]);
    fields->months = FieldParser(kSpecs[3], key, text).parse(w[4]);
    fields->weekdays = FieldParser(kSpecs[4], key, text).parse(w[5]);
    if (w.size() == 6)
        fail(key, text, "the time zone is missing; add an IANA zone after the five fields, like Europe/Copenhagen or UTC");
    if (has(fields->weekdays, 7)) fields->weekdays |= 1U;  // 7 is Sunday too
    fields->daysRestricted = w[3][0] != '*';
    fields->weekdaysRestricted = w[5][0] != '*';
    s.kind_ = Kind::Cron;
    s.fields_ = fields;
    try {
        s.zone_ = TimeZone::load(w[6], zoneinfoDir);
    } catch (const ConfigError& e) {
        fail(key, text, e.what());
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    if (s.nextCron(now.count()) == INT64_MIN)
        fail(key, text, "it never fires (no date matches its day and month fields)");
    return s;
}

std::int64_t Schedule::nextCron(std::int64_t after) const {
    const Fields& f = *fields_;
    const std::int64_t local = after + zone_->offsetAt(after);
    std::int64_t day = civil::floorDiv(local, 86400);
    std::int64_t minuteOfDay = (local - day * 86400) / 60 + 1;  // the next whole minute
    const std::int64_t lastDay = day + kSearchYears * 366;
    while (day <= lastDay) {
        const civil::Date date = civil::civilFromDays(day);
        if (!has(f.months, date.month)) {
            day = civil::daysFromCivil(date.month == 12 ? date.year + 1 : date.year, date.month == 12 ? 1 : date.month + 1, 1);
            minuteOfDay = 0;
            continue;
        }
        const bool domOk = has(f.days, date.day);
        const bool dowOk = has(f.weekdays, civil::weekday(day));
        const bool dayOk = f.daysRestricted && f.weekdaysRestricted ? (domOk || dowOk)
                                                                    : (domOk && dowOk);
        if (!dayOk || minuteOfDay >= 1440) {
            ++day;
            minuteOfDay = 0;
            continue;
        }
        const std::int64_t hour = minuteOfDay / 60, minute = minuteOfDay % 60;
        if (!has(f.hours, hour)) {
            minuteOfDay = (hour + 1) * 60;
            continue;
        }
        if (!has(f.minutes, minute)) {
            ++minuteOfDay;
            continue;
        }
        const LocalResolution r = zone_->resolve(day * 86400 + minuteOfDay * 60);
        if (r.first > after) return r.first;  // first occurrence, or the instant a gap ends
        ++minuteOfDay;
    }
    return INT64_MIN;
}

Schedule::TimePoint Schedule::nextAfter(TimePoint after) const {
    const std::int64_t s = std::chrono::floor<std::chrono::seconds>(after.time_since_epoch()).count();
    std::int64_t next = 0;
    if (kind_ == Kind::Interval) {
        const std::int64_t i = interval_.count();
        next = (civil::floorDiv(s, i) + 1) * i;
    } else {
        next = nextCron(s);
        if (next == INT64_MIN) next = s + kSearchYears * 366 * 86400;  // unreachable after parse()
    }
    return TimePoint(std::chrono::seconds(next));
}

std::chrono::seconds Schedule::jitterDelay(const RandomSource& random) const {
    if (jitter_.count() <= 0) return std::chrono::seconds(0);
    const auto span = static_cast<std::uint64_t>(jitter_.count()) + 1;
    return std::chrono::seconds(static_cast<std::int64_t>(random() % span));
}

}  // namespace ledgerbridge::service

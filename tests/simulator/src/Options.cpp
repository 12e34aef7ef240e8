// Parses ledgerbridge-sim's flags. Every flag takes `--name value` or `--name=value`.
#include "Options.h"

#include <sstream>
#include <stdexcept>

namespace lbsim {

namespace {

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

long long toInt(const std::string& flag, const std::string& v, long long lo, long long hi) {
    try {
        std::size_t used = 0;
        long long n = std::stoll(v, &used);
        if (used != v.size() || n < lo || n > hi) throw std::invalid_argument("range");
        return n;
    } catch (const std::exception&) {
        throw std::invalid_argument("The value '" + v + "' of " + flag + " is not a whole number between " +
                                    std::to_string(lo) + " and " + std::to_string(hi) + ".");
    }
}

double toDouble(const std::string& flag, const std::string& v, double lo, double hi) {
    try {
        std::size_t used = 0;
        double d = std::stod(v, &used);
        if (used != v.size() || !(d >= lo && d <= hi)) throw std::invalid_argument("range");
        return d;
    } catch (const std::exception&) {
        std::ostringstream os;
        os << "The value '" << v << "' of " << flag << " is not a number between " << lo << " and " << hi << ".";
        throw std::invalid_argument(os.str());
    }
}

}  // namespace

Options parseOptions(int argc, char** argv, bool& helpRequested) {
    Options o;
    helpRequested = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool hasValue = false;
        auto eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            hasValue = true;
        }
        auto next = [&]() -> std::string {
            if (hasValue) return value;
            if (i + 1 >= argc) throw std::invalid_argument("The flag " + arg + " needs a value.");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") helpRequested = true;
        else if (arg == "--port") o.port = static_cast<int>(toInt(arg, next(), 0, 65535));
        else if (arg == "--http") o.plainHttp = true;
        else if (arg == "--tls-dir") o.tlsDir = next();
        else if (arg == "--hostname") o.hostnames.push_back(next());
        else if (arg == "--threads") o.threads = static_cast<int>(toInt(arg, next(), 1, 256));
        else if (arg == "--seed") o.seed = static_cast<std::uint64_t>(toInt(arg, next(), 0, (1LL << 62)));
        else if (arg == "--items") o.items = static_cast<std::uint64_t>(toInt(arg, next(), 0, 100000000));
        else if (arg == "--companies") o.companies = static_cast<int>(toInt(arg, next(), 1, 100000));
        else if (arg == "--invalid-rate") o.invalidRate = toDouble(arg, next(), 0.0, 1.0);
        else if (arg == "--client-id") o.clientId = next();
        else if (arg == "--client-secret") o.clientSecret = next();
        else if (arg == "--redirect-uri") o.redirectUri = next();
        else if (arg == "--client-scopes") o.clientScopes = next();
        else if (arg == "--auto-approve") o.autoApprove = true;
        else if (arg == "--strict-client-auth") o.strictClientAuth = true;
        else if (arg == "--token-ttl") o.tokenTtl = static_cast<int>(toInt(arg, next(), 1, 100000000));
        else if (arg == "--refresh-ttl") o.refreshTtl = static_cast<int>(toInt(arg, next(), 1, 1000000000));
        else if (arg == "--code-ttl") o.codeTtl = static_cast<int>(toInt(arg, next(), 1, 100000));
        else if (arg == "--job-ttl") o.jobTtl = static_cast<int>(toInt(arg, next(), 1, 100000000));
        else if (arg == "--time-scale") o.timeScale = toDouble(arg, next(), 0.001, 1000000.0);
        else if (arg == "--rate-limit") o.rateLimit = static_cast<int>(toInt(arg, next(), 0, 100000000));
        else if (arg == "--fault-rate") o.faultRate = toDouble(arg, next(), 0.0, 1.0);
        else if (arg == "--faults") o.faults = splitList(next());
        else if (arg == "--fault-seed") o.faultSeed = static_cast<std::uint64_t>(toInt(arg, next(), 0, (1LL << 62)));
        else if (arg == "--slow-ms") o.slowMs = static_cast<int>(toInt(arg, next(), 0, 600000));
        else if (arg == "--quiet") o.quiet = true;
        else if (arg == "--validate-requests") o.validateRequestsDir = next();
        else throw std::invalid_argument("Unknown flag '" + arg + "'; run ledgerbridge-sim --help for the list.");
    }
    for (const auto& f : o.faults) {
        if (f != "5xx" && f != "500" && f != "502" && f != "503" && f != "429" && f != "slow" && f != "drop" &&
            f != "truncate")
            throw std::invalid_argument("Unknown fault '" + f + "' in --faults; use 5xx,500,502,503,429,slow,drop,truncate.");
    }
    return o;
}

std::string helpText() {
    return R"(ledgerbridge-sim: a local stand-in for Pleo Staging (OAuth 2.0 server + Export API v3).

Prints the base URL it listens on (e.g. https://127.0.0.1:43123) as the first stdout line,
then the TLS folder. Binds 127.0.0.1 only. Stops cleanly on SIGTERM or SIGINT.

Serving
  --port N               TCP port; 0 (default) picks a free one
  --http                 plain HTTP instead of HTTPS
  --tls-dir DIR          folder for ca.pem, server.pem, server.key (created on first start,
                         reused later); default: $TMPDIR/ledgerbridge-sim-tls
  --hostname NAME        extra DNS name in the server certificate (repeatable), e.g.
                         auth.staging.pleo.io, external.staging.pleo.io
  --threads N            worker threads (default 16)
Data (generated on demand from the seed; never all in memory)
  --seed N               data seed (default 42)
  --items N              export items per company (default 50; 1000000 is fine)
  --companies N          companies, 1..100000 (default 2)
  --invalid-rate R       share of items deliberately invalid for export, 0..1 (default 0)
OAuth 2.0
  --client-id ID         demo client id (default ledgerbridge-demo)
  --client-secret S      demo client secret (default demo-secret)
  --redirect-uri URI     demo client redirect URI (default http://127.0.0.1:8765/callback)
  --client-scopes S      demo client scopes (default "export-jobs:read export-jobs:write
                         export-items:read export:read export:write and
                         plus the scopes of the other APIs, see README)
  --validate-requests DIR  check every API request against the OpenAPI files in DIR;
                         GET /admin/request-violations shows the counts
  --auto-approve         /oauth/authorize redirects straight back with a code (headless)
  --strict-client-auth   client credentials only by HTTP Basic, never in the body
  --token-ttl S          access token lifetime in simulated seconds (default 900)
  --refresh-ttl S        refresh token lifetime in simulated seconds (default 2592000)
  --code-ttl S           authorization code lifetime in simulated seconds (default 60)
Export jobs
  --job-ttl S            a job expires S simulated seconds after lastUpdatedAt (default 3600)
Time and faults (deterministic by --fault-seed)
  --time-scale F         simulated seconds per real second (default 1; 60 = a minute a second)
  --rate-limit N         requests per minute per credential, 429 + Retry-After (default 600; 0 off)
  --fault-rate R         share of API requests that get a fault, 0..1 (default 0)
  --faults LIST          which faults: 5xx,500,502,503,429,slow,drop,truncate
  --fault-seed N         seed of the fault sequence (default 1)
  --slow-ms MS           delay of a 'slow' fault (default 1500)
  --quiet                no request log on stderr
  --help                 this text
)";
}

}  // namespace lbsim

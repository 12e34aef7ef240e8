// See ReplicaCluster.h.
#include "ReplicaCluster.h"

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/PipeStream.h>
#include <Poco/Random.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>


namespace fs = std::filesystem;

namespace ledgerbridge::replicas {
namespace {

void writePrivateFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), 0600);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The value of `"key":` in one JSON log line (a string's text or a number), "" when absent.
std::string jsonField(const std::string& line, const std::string& key) {
    const std::string marker = "\"" + key + "\":";
    auto at = line.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    if (at < line.size() && line[at] == '"') {
        const auto end = line.find('"', at + 1);
        return line.substr(at + 1, end - at - 1);
    }
    const auto end = line.find_first_of(",}", at);
    return line.substr(at, end - at);
}

}  // namespace

// ---- TestDatabase ---------------------------------------------------------------------------

bool TestDatabase::configured(std::string& why) {
    const char* url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    if (url && *url) return true;
    why = "LEDGERBRIDGE_TEST_PG_URL is not set: the replicas need a PostgreSQL server; run the suite under "
          "scripts/with-postgres (CI does)";
    return false;
}

TestDatabase::TestDatabase() {
    const char* url = std::getenv("LEDGERBRIDGE_TEST_PG_URL");
    const char* password = std::getenv("LEDGERBRIDGE_TEST_PG_PASSWORD");
    if (!url || !*url) throw std::runtime_error("LEDGERBRIDGE_TEST_PG_URL is not set");
    url_ = url;
    const char* keys[] = {"dbname", "password", nullptr};
    const char* values[] = {url, password ? password : "", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) != CONNECTION_OK)
        throw std::runtime_error("the test cannot connect to " + url_ + ": " + PQerrorMessage(conn_));
    Poco::Random random;
    random.seed();
    schema_ = "lbrep_" + std::to_string(::getpid()) + "_" + std::to_string(random.next() & 0xffffU);
    query("CREATE SCHEMA " + schema_);
    query("SET search_path TO " + schema_);
    query("SET client_min_messages TO warning");  // no NOTICE per table when the schema is dropped
}

TestDatabase::~TestDatabase() {
    try {
        query("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception&) {
    }
    PQfinish(conn_);
}

std::string TestDatabase::stateUrl() const {
    return url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
}

std::vector<std::vector<std::string>> TestDatabase::query(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string error = PQresultErrorMessage(r);
        PQclear(r);
        throw std::runtime_error("the test's query failed: " + sql + ": " + error);
    }
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
        rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
}

std::int64_t TestDatabase::scalar(const std::string& sql) {
    auto rows = query(sql);
    if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
    return std::stoll(rows[0][0]);
}

// ---- Replica --------------------------------------------------------------------------------

Replica::Replica(int index, const std::string& configPath, const std::string& logPath, long long leaseMs)
    : index_(index), logPath_(logPath) {
    // Each replica its own identity, as on separate machines: a lease is then judged by its
    // expiry, never by whether a process id on this host is still alive.
    const Poco::Process::Env env{{"LEDGERBRIDGE_REPLICA_ID", "replica-" + std::to_string(index)},
                                 {"LEDGERBRIDGE_TEST_LEASE_MS", std::to_string(leaseMs)}};
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        oauth::simtest::binary("ledgerbridge"), {"--config", configPath, "serve"}, nullptr, &out_, &err_, env));
    pid_ = handle_->id();
    errReader_ = std::thread([this] {
        Poco::PipeInputStream err(err_);
        std::string line;
        while (std::getline(err, line)) {
            std::lock_guard<std::mutex> guard(errMutex_);
            errText_ += line + "\n";
        }
    });
    Poco::PipeInputStream out(out_);
    std::string first;
    std::getline(out, first);
    const std::string marker = "listening on 127.0.0.1:";
    const auto at = first.find(marker);
    if (at == std::string::npos) {
        signal(SIGKILL);
        wait();
        throw std::runtime_error("replica " + std::to_string(index) + " did not start; stdout: " + first +
                                 "\nstderr: " + stderrText() + "\nlog: " + log().substr(0, 3000));
    }
    port_ = std::stoi(first.substr(at + marker.size()));
}

Replica::~Replica() {
    if (handle_) {
        if (stopped_) ::kill(pid_, SIGCONT);
        ::kill(pid_, SIGKILL);
        handle_->wait();
    }
    if (errReader_.joinable()) errReader_.join();
}

void Replica::signal(int sig) {
    if (!handle_) return;
    ::kill(pid_, sig);
    if (sig == SIGSTOP) stopped_ = true;
    if (sig == SIGCONT) stopped_ = false;
}

int Replica::wait() {
    if (!handle_) return -1;
    const int code = handle_->wait();
    handle_.reset();
    if (errReader_.joinable()) errReader_.join();
    return code;
}

std::string Replica::log() const { return readFile(logPath_); }

std::string Replica::stderrText() const {
    std::lock_guard<std::mutex> guard(errMutex_);
    return errText_;
}

// ---- WebhookSpreader ------------------------------------------------------------------------

class WebhookSpreader::Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(WebhookSpreader& owner) : owner_(owner) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        std::vector<int> ports = owner_.targets_();
        thread_local std::mt19937 random(std::random_device{}());
        std::shuffle(ports.begin(), ports.end(), random);
        for (int port : ports) {
            try {
                Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
                s.setTimeout(Poco::Timespan(5, 0));
                Poco::Net::HTTPRequest out(req.getMethod(), req.getURI(), Poco::Net::HTTPMessage::HTTP_1_1);
                for (const auto& [name, value] : req)
                    if (name.rfind("webhook-", 0) == 0 || name == "Content-Type") out.set(name, value);
                out.setContentLength(static_cast<std::streamsize>(body.size()));
                s.sendRequest(out) << body;
                Poco::Net::HTTPResponse answer;
                std::string text;
                Poco::StreamCopier::copyToString(s.receiveResponse(answer), text);
                if (answer.getStatus() / 100 == 2) {
                    std::lock_guard<std::mutex> guard(owner_.mutex_);
                    ++owner_.delivered_[port];
                }
                res.setStatus(answer.getStatus());
                res.setContentLength(static_cast<std::streamsize>(text.size()));
                res.send() << text;
                return;
            } catch (const std::exception&) {
                // That pod is gone or stopped: the Service tries another one.
            }
        }
        res.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
        res.setContentLength(0);
        res.send();
    }

private:
    WebhookSpreader& owner_;
};

class WebhookSpreader::Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(WebhookSpreader& owner) : owner_(owner) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(owner_);
    }

private:
    WebhookSpreader& owner_;
};

WebhookSpreader::WebhookSpreader(std::function<std::vector<int>()> targets) : targets_(std::move(targets)) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
}

WebhookSpreader::~WebhookSpreader() { server_->stopAll(true); }

int WebhookSpreader::port() const { return server_->port(); }

std::map<int, int> WebhookSpreader::delivered() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return delivered_;
}

// ---- ReplicaCluster -------------------------------------------------------------------------

ReplicaCluster::ReplicaCluster(int connections, int itemsPerCompany, long long leaseMs, std::vector<std::string> simArgs)
    : leaseMs_(leaseMs) {
    Poco::TemporaryFile tmp;
    dir_ = tmp.path();
    // LEDGERBRIDGE_REPLICAS_KEEP=1 keeps the folder (configs, logs, books) for a post-mortem.
    if (const char* keep = std::getenv("LEDGERBRIDGE_REPLICAS_KEEP"); keep && std::string(keep) == "1") {
        tmp.keep();
        std::cout << "[replicas] keeping " << dir_ << std::endl;
    } else {
        tmp.keepUntilExit();
    }
    fs::create_directories(dir_ + "/keys");
    fs::permissions(dir_ + "/keys", fs::perms::owner_all, fs::perm_options::replace);
    redirect_ = "http://127.0.0.1:" + std::to_string(oauth::simtest::freePort()) + "/callback";
    for (const char* arg : {"--companies", "", "--items", "", "--quiet"}) simArgs.emplace_back(arg);
    simArgs[simArgs.size() - 4] = std::to_string(connections);
    simArgs[simArgs.size() - 2] = std::to_string(itemsPerCompany);
    sim_ = std::make_unique<oauth::simtest::Simulator>(redirect_, "replicas-client-secret", simArgs);
    writePrivateFile(dir_ + "/client-secret", "replicas-client-secret\n");
    {
        // The shared token key, made before any replica starts (only `auth login` creates one).
        std::ostringstream hex;
        Poco::Random random;
        random.seed();
        for (int i = 0; i < 32; ++i) hex << std::hex << std::setw(2) << std::setfill('0') << (random.next() & 0xffU);
        writePrivateFile(dir_ + "/keys/token.key", hex.str() + "\n");
    }
    auto companies = sim_->admin("GET", "/admin/companies")->getArray("data");
    for (int i = 0; i < connections; ++i) {
        std::ostringstream name;
        name << "c" << std::setw(2) << std::setfill('0') << i + 1;
        const std::string company = companies->getObject(static_cast<unsigned>(i))->getValue<std::string>("id");
        names_.push_back(name.str());
        companies_[name.str()] = company;
        auto key = sim_->admin("POST", "/admin/api-keys", "{\"companyId\":\"" + company + "\"}");
        secrets_.push_back(key->getValue<std::string>("apiKey"));
        writePrivateFile(dir_ + "/keys/" + name.str() + ".key", secrets_.back());
        fs::create_directories(exportsDir(name.str()));
    }
    spreader_ = std::make_unique<WebhookSpreader>([this] {
        std::lock_guard<std::mutex> guard(serviceMutex_);
        return std::vector<int>(inService_.begin(), inService_.end());
    });
    auto sub = sim_->admin("POST", "/admin/webhooks",
                           "{\"url\":\"http://127.0.0.1:" + std::to_string(spreader_->port()) +
                               "/webhooks/pleo\",\"events\":[\"v1.export-job.created\"]}");
    secrets_.push_back(sub->getValue<std::string>("secret"));
    writePrivateFile(dir_ + "/webhook-secret", secrets_.back());
    if (const char* password = std::getenv("LEDGERBRIDGE_TEST_PG_PASSWORD"); password && *password) secrets_.push_back(password);
}

ReplicaCluster::~ReplicaCluster() {
    replicas_.clear();   // their processes first: nothing may call the front or the simulator after
    spreader_.reset();
}

std::string ReplicaCluster::configFor(int index) const {
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    const std::string n = std::to_string(index);
    std::ostringstream ini;
    ini << "environment = sim\n\n[state]\ndir = " << dir_ << "/state-" << n << "\ntoken_key = file:" << dir_
        << "/keys/token.key\nurl = " << db_.stateUrl() << "\npassword = env:LEDGERBRIDGE_TEST_PG_PASSWORD\n\n"
        << "[log]\nlevel = debug\nformat = json\nfile = " << dir_ << "/replica-" << n << ".log\n\n"
        << "[environment.sim]\nauth_url = " << sim_->baseUrl() << "\napi_url = " << sim_->baseUrl()
        << "\nclient_id = ledgerbridge-demo\nclient_secret = file:" << dir_ << "/client-secret\nredirect_uri = " << redirect_
        << "\nscopes = export-jobs:read export-jobs:write export-items:read\nca_file = " << sim_->caFile() << "\n\n"
        << "[plugins]\ndir = " << (bin ? bin : ".") << "/lib/ledgerbridge/plugins\n\n"
        << "[service]\nlisten = 127.0.0.1:0\nwebhook_secret = file:" << dir_ << "/webhook-secret\ngrace_period = 5s\n"
        // Room for every connection on one replica, as a deployment sized to lose one must have: a
        // lost replica's connections are then taken as soon as their leases expire, not when a
        // survivor's own runs leave a slot free.
        << "max_concurrent_runs = " << names_.size() << "\n";
    for (const auto& name : names_)
        ini << "\n[connection." << name << "]\ncompany_id = " << companies_.at(name)
            << "\nplugin = csv\ncredential = api_key\napi_key = file:" << dir_ << "/keys/" << name
            << ".key\nschedule = every 2s\nsync_schedule = off\nsetting.output_dir = " << exportsDir(name) << "\n";
    return ini.str();
}

Replica& ReplicaCluster::start(int index) {
    const std::string config = dir_ + "/replica-" + std::to_string(index) + ".ini";
    writePrivateFile(config, configFor(index));
    auto replica = std::make_unique<Replica>(index, config, dir_ + "/replica-" + std::to_string(index) + ".log", leaseMs_);
    if (replicas_.size() <= static_cast<std::size_t>(index)) replicas_.resize(static_cast<std::size_t>(index) + 1);
    replicas_[static_cast<std::size_t>(index)] = std::move(replica);
    setInService(index, true);
    return *replicas_[static_cast<std::size_t>(index)];
}

void ReplicaCluster::setInService(int index, bool inService) {
    const int port = replica(index).port();
    std::lock_guard<std::mutex> guard(serviceMutex_);
    if (inService)
        inService_.insert(port);
    else
        inService_.erase(port);
}

std::map<std::string, std::string> ReplicaCluster::createJobs(int items) {
    std::map<std::string, std::string> jobs;
    for (const auto& name : names_) {
        auto o = sim_->admin("POST", "/admin/export-jobs",
                             "{\"companyId\":\"" + companies_.at(name) + "\",\"items\":" + std::to_string(items) + "}");
        jobs[name] = o->getObject("data")->getValue<std::string>("id");
    }
    return jobs;
}

std::string ReplicaCluster::jobStatus(const std::string& jobId) {
    return sim_->admin("GET", "/admin/export-jobs/" + jobId)->getValue<std::string>("status");
}

std::vector<std::string> ReplicaCluster::waitFinished(const std::map<std::string, std::string>& jobs,
                                                      std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    std::set<std::string> open;
    for (const auto& [name, job] : jobs) open.insert(name);
    while (!open.empty()) {
        for (auto it = open.begin(); it != open.end();) {
            const std::string status = jobStatus(jobs.at(*it));
            it = (status == "pending" || status == "in_progress") ? std::next(it) : open.erase(it);
        }
        if (open.empty() || std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return {open.begin(), open.end()};
}

std::map<std::string, long> ReplicaCluster::leaseHolders() {
    std::map<std::string, long> out;
    for (const auto& row : db_.query("SELECT name, pid FROM leases WHERE expires_at > "
                                     "(extract(epoch from clock_timestamp()) * 1000)::bigint"))
        out[row[0]] = std::stol(row[1]);
    return out;
}

// ---- reading back ---------------------------------------------------------------------------

std::map<std::string, int> connectionsWithWork(const std::string& log) {
    std::map<std::string, int> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (jsonField(line, "msg") != "export run started") continue;
        const std::string jobs = jsonField(line, "jobs");
        if (!jobs.empty() && jobs != "0") ++out[jsonField(line, "connection")];
    }
    return out;
}

}  // namespace ledgerbridge::replicas

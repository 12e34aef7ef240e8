// Simulator harness for the oauth tests: see SimHarness.h.
#include "SimHarness.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/URI.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ledgerbridge::oauth::simtest {

int freePort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

std::string binary(const std::string& name) {
    const char* dir = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    return std::string(dir ? dir : ".") + "/bin/" + name;
}

namespace {

void writeFile(const std::string& path, const std::string& text, int mode) {
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::string htmlUnescape(std::string s) {
    const std::pair<const char*, const char*> map[] = {{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"},
                                                       {"&amp;", "&"}};
    for (const auto& [from, to] : map) {
        std::size_t at = 0;
        while ((at = s.find(from, at)) != std::string::npos) {
            s.replace(at, std::strlen(from), to);
            at += std::strlen(to);
        }
    }
    return s;
}

std::string attribute(const std::string& tag, const std::string& name) {
    std::string key = name + "=\"";
    auto at = tag.find(key);
    if (at == std::string::npos) return {};
    auto end = tag.find('"', at + key.size());
    return htmlUnescape(tag.substr(at + key.size(), end - at - key.size()));
}

}  // namespace

Simulator::Simulator(const std::string& redirectUri, const std::string& clientSecret, std::vector<std::string> extraArgs) {
    std::vector<std::string> args = {"--redirect-uri", redirectUri, "--client-secret", clientSecret,
                                     "--strict-client-auth", "--quiet"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    process_ = std::make_unique<testsupport::SimulatorProcess>(args);
}

Simulator::~Simulator() = default;

Poco::JSON::Object::Ptr Simulator::admin(const std::string& method, const std::string& path, const std::string& jsonBody) {
    auto t = browserTransport(caFile());
    HttpRequest req;
    req.method = method;
    req.url = baseUrl() + path;
    if (method == "POST") {
        req.contentType = "application/json";
        req.body = jsonBody.empty() ? "{}" : jsonBody;
    }
    HttpResponse r = t->send(req);
    if (r.status / 100 != 2) throw std::runtime_error("admin " + path + " answered " + std::to_string(r.status) + ": " + r.body);
    return Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
}

std::int64_t Simulator::counter(const std::string& name) {
    auto o = admin("GET", "/admin/counters");
    std::ostringstream text;
    o->stringify(text);
    // Named counters may be nested; search the JSON for "name":N.
    std::string s = text.str();
    auto at = s.find("\"" + name + "\":");
    if (at == std::string::npos) return 0;
    return std::stoll(s.substr(at + name.size() + 3));
}

int Simulator::revokedGrants() {
    auto o = admin("GET", "/admin/grants");
    auto data = o->getArray("data");
    int n = 0;
    for (std::size_t i = 0; data && i < data->size(); ++i)
        if (data->getObject(static_cast<unsigned>(i))->getValue<bool>("revoked")) ++n;
    return n;
}

Installation::Installation(const Simulator& sim, const std::string& redirectUri, const std::string& clientSecretInFile,
                           const std::string& companyId, const std::string& scopes) {
    Poco::TemporaryFile tmp;
    dir_ = tmp.path();
    tmp.keepUntilExit();
    Poco::File(dir_).createDirectories();
    configPath_ = dir_ + "/ledgerbridge.ini";
    logPath_ = dir_ + "/ledgerbridge.log";
    stateDir_ = dir_ + "/state";
    writeFile(dir_ + "/client-secret", clientSecretInFile + "\n", 0600);
    std::ostringstream ini;
    ini << "environment = sim\n\n[state]\ndir = " << stateDir_ << "\ntoken_key = file:" << dir_
        << "/keys/token.key\n\n[log]\nlevel = debug\nformat = json\nfile = " << logPath_
        << "\n\n[environment.sim]\nauth_url = " << sim.baseUrl() << "\napi_url = " << sim.baseUrl()
        << "\nclient_id = ledgerbridge-demo\nclient_secret = file:" << dir_ << "/client-secret\nredirect_uri = "
        << redirectUri << "\nscopes = " << scopes << "\nca_file = " << sim.caFile()
        << "\n\n[connection.acme]\ncompany_id = " << companyId << "\nplugin = csv\n";
    writeFile(configPath_, ini.str(), 0600);
}

Installation::~Installation() = default;

config::Config Installation::loadConfig() const { return config::loadConfigOrThrow(configPath_, {}, false); }

std::unique_ptr<HttpTransport> browserTransport(const std::string& caFile) {
    config::EnvironmentProfile p;
    p.name = "browser";
    p.caFile = caFile;
    p.allowHttp = true;
    return std::make_unique<PocoHttpTransport>(p, 30);
}

std::string driveBrowser(HttpTransport& browser, const std::string& authorizeUrl, bool htmlConsent, bool approve,
                         bool follow) {
    HttpRequest get;
    get.url = authorizeUrl;
    HttpResponse page = browser.send(get);
    std::string location;
    if (!htmlConsent) {
        if (page.status != 302) throw std::runtime_error("expected the auto-approve redirect, got " + std::to_string(page.status) + ": " + page.body);
        location = page.header("Location");
    } else {
        if (page.status != 200) throw std::runtime_error("expected the login page, got " + std::to_string(page.status) + ": " + page.body);
        const std::string& html = page.body;
        std::vector<std::pair<std::string, std::string>> form;
        std::size_t at = 0;
        while ((at = html.find("<input type=\"hidden\"", at)) != std::string::npos) {
            std::string tag = html.substr(at, html.find('>', at) - at);
            form.emplace_back(attribute(tag, "name"), attribute(tag, "value"));
            ++at;
        }
        auto option = html.find("<option value=\"");
        std::string company = attribute(html.substr(option, html.find('>', option) - option), "value");
        auto users = html.find("<h2>Test users</h2>");
        auto li = html.find("<li>", users);
        std::string user = htmlUnescape(html.substr(li + 4, html.find(" / ", li) - li - 4));
        std::string action = attribute(html.substr(html.find("<form"), 200), "action");
        form.emplace_back("username", user);
        form.emplace_back("password", "password");
        form.emplace_back("company_id", company);
        form.emplace_back("decision", approve ? "approve" : "deny");
        Poco::URI base(authorizeUrl);
        HttpRequest post;
        post.method = "POST";
        post.url = base.getScheme() + "://" + base.getAuthority() + action;
        post.contentType = "application/x-www-form-urlencoded";
        post.body = formEncode(form);
        HttpResponse r = browser.send(post);
        if (r.status != 302) throw std::runtime_error("the consent form answered " + std::to_string(r.status) + ": " + r.body);
        location = r.header("Location");
    }
    if (follow) {
        HttpRequest back;
        back.url = location;
        browser.send(back);
    }
    return location;
}

ProcessResult run(const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env, const std::string& input) {
    Poco::Pipe in, out, err;
    Poco::Process::Env e(env.begin(), env.end());
    Poco::ProcessHandle h = Poco::Process::launch(program, args, std::string(), &in, &out, &err, e);
    {
        Poco::PipeOutputStream os(in);
        os << input;
        os.close();
    }
    ProcessResult r;
    std::thread errReader([&] {
        Poco::PipeInputStream is(err);
        std::ostringstream s;
        Poco::StreamCopier::copyStream(is, s);
        r.err = s.str();
    });
    Poco::PipeInputStream os(out);
    std::ostringstream s;
    Poco::StreamCopier::copyStream(os, s);
    r.out = s.str();
    errReader.join();
    int status = 0;
    ::waitpid(static_cast<pid_t>(h.id()), &status, 0);
    if (WIFSIGNALED(status)) {
        r.killed = true;
        r.exitCode = 128 + WTERMSIG(status);
    } else {
        r.exitCode = WEXITSTATUS(status);
    }
    return r;
}

LiveProcess::LiveProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
    Poco::Process::Env e(env.begin(), env.end());
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(program, args, std::string(), &in_, &out_, &err_, e));
    outStream_ = std::make_unique<Poco::PipeInputStream>(out_);
    inStream_ = std::make_unique<Poco::PipeOutputStream>(in_);
    errReader_ = std::make_unique<std::thread>([this] {
        Poco::PipeInputStream is(err_);
        std::ostringstream s;
        Poco::StreamCopier::copyStream(is, s);
        errText_ = s.str();
    });
}

LiveProcess::~LiveProcess() {
    if (handle_) {
        ::kill(static_cast<pid_t>(handle_->id()), SIGKILL);
        finish();
    }
}

std::string LiveProcess::readLineContaining(const std::string& needle) {
    std::string line;
    while (std::getline(*outStream_, line)) {
        seen_ += line + "\n";
        if (line.find(needle) != std::string::npos) return line;
    }
    throw std::runtime_error("the process ended without printing '" + needle + "'; it printed: " + seen_);
}

void LiveProcess::writeLine(const std::string& line) {
    *inStream_ << line << '\n';
    inStream_->flush();
}

ProcessResult LiveProcess::finish() {
    ProcessResult r;
    if (!handle_) return r;
    inStream_.reset();
    in_.close(Poco::Pipe::CLOSE_WRITE);
    std::ostringstream rest;
    Poco::StreamCopier::copyStream(*outStream_, rest);
    r.out = seen_ + rest.str();
    errReader_->join();
    r.err = errText_;
    int status = 0;
    ::waitpid(static_cast<pid_t>(handle_->id()), &status, 0);
    r.killed = WIFSIGNALED(status);
    r.exitCode = r.killed ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    handle_.reset();
    return r;
}

std::map<std::string, std::string> readTree(const std::string& dir) {
    std::map<std::string, std::string> out;
    Poco::File root(dir);
    if (!root.exists()) return out;
    std::vector<std::string> stack = {dir};
    while (!stack.empty()) {
        std::string d = stack.back();
        stack.pop_back();
        for (Poco::DirectoryIterator it(d), end; it != end; ++it) {
            if (it->isDirectory()) {
                stack.push_back(it->path());
            } else if (it->isFile()) {
                std::ifstream f(it->path(), std::ios::binary);
                std::ostringstream s;
                s << f.rdbuf();
                out[it->path()] = s.str();
            }
        }
    }
    return out;
}

ProcessResult loginAutoApproved(const Simulator& sim, const Installation& inst, const std::string& connection) {
    LiveProcess login(binary("ledgerbridge"), {"--config", inst.configPath(), "auth", "login", "--connection", connection, "--no-browser"});
    std::string line = login.readLineContaining("/oauth/authorize?");
    std::string url = line.substr(line.find("https://"));
    while (!url.empty() && (url.back() == ' ' || url.back() == '\r')) url.pop_back();
    auto browser = browserTransport(sim.caFile());
    driveBrowser(*browser, url, false, true, true);
    return login.finish();
}

}  // namespace ledgerbridge::oauth::simtest

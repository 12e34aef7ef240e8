// A small stateful Fortnox API v3 test double: a real Poco HTTP server on 127.0.0.1 (port 0),
// one company per path prefix (/<tenant>/3/...; Fortnox tells companies apart by the access
// token, the double by the prefix). It books vouchers (POST /3/vouchers: series, financial
// year, active accounts, cost centres, projects and the balance checked, numbers given per
// series), lists them (GET /3/vouchers/sublist/{series} with fromdate/todate and page/limit,
// MetaInformation), stores inbox files (POST /3/inbox, multipart) and voucher file
// connections, serves master data (GET /3/accounts, /3/costcenters, /3/projects,
// /3/suppliers with page/limit and MetaInformation), answers errors as {"ErrorInformation":{"error":1,"message":...,"code":...}}, and
// limits each company to 25 requests per sliding 5 seconds (429). README.md cites the source of
// each behaviour.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ledgerbridge::fortnoxtest {

class FortnoxDouble {
public:
    struct Account {
        std::string number, description;
        bool active = true;
        std::string vatCode;
    };
    struct CostCenter {
        std::string code, description;
        bool active = true;
    };
    struct Project {
        std::string number, description, status = "ONGOING";  ///< NOTSTARTED, ONGOING, COMPLETED
    };
    struct Supplier {
        std::string number, name, organisationNumber, vatNumber, countryCode, currency;
        bool active = true;
    };
    /// What a company knows; vouchers are checked against it and the master-data GETs serve it.
    struct Company {
        std::map<std::string, Account> accounts;
        std::vector<std::string> series{"A", "P"};
        std::string yearFrom = "2026-01-01", yearTo = "2026-12-31";  ///< financial year 1
        std::vector<CostCenter> costCenters;
        std::vector<Project> projects;
        std::vector<Supplier> suppliers;
    };
    struct Row {
        std::string account, debit, credit, costCenter, project, transactionInformation;  ///< numbers as JSON text
    };
    struct Voucher {
        std::string series, number, year, date, description;
        std::vector<Row> rows;
    };
    struct File {
        std::string id, name, contentType, bytes;
    };
    struct Connection {
        std::string fileId, series, number;
    };
    struct Request {
        std::string method, target;
        int status = 0;
        std::int64_t atMs = 0;  ///< steady clock
    };

    FortnoxDouble();
    ~FortnoxDouble();
    FortnoxDouble(const FortnoxDouble&) = delete;
    FortnoxDouble& operator=(const FortnoxDouble&) = delete;

    /// http://127.0.0.1:<port>/<tenant>/3
    std::string baseUrl(const std::string& tenant = "main") const;
    /// http://127.0.0.1:<port>
    std::string root() const;

    /// What every company created from now on knows (default: defaultCompany()).
    void setCompany(const Company& company);
    /// What `tenant` alone knows (created now, replacing what it had).
    void setCompany(const std::string& tenant, const Company& company);
    /// A small BAS chart (6999 inactive), cost centres CC1, CC2 and OLD (inactive), projects
    /// P100, P200 and P900 (completed), three suppliers (one inactive).
    static Company defaultCompany();

    /// The next `count` requests get 429 with Retry-After: `retryAfterSeconds` (-1: no header).
    void rateLimitNext(int count, int retryAfterSeconds);
    /// The sliding-window limit per company (25 per 5 s; 0 turns it off).
    void setWindowLimit(int requests);

    std::vector<Voucher> vouchers(const std::string& tenant = "main") const;
    std::vector<File> files(const std::string& tenant = "main") const;
    std::vector<Connection> connections(const std::string& tenant = "main") const;
    std::vector<Request> requests() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace ledgerbridge::fortnoxtest

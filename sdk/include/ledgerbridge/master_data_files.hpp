// Master data read from files (for plugins whose target is a set of files: SIE, DATEV, CSV):
// one file is parsed whole into records of every kind it holds, and the host's pages are cut
// from that parse. Pages stay consistent while the file changes underneath: the parse is kept
// per file content (a snapshot), and every cursor names the snapshot it belongs to
// ("<offset>@<size>-<FNV-1a 64 of the bytes>"). A cursor is served from its snapshot even when
// the file has changed since the first page; a new first page (no cursor) reads the file again.
// Only when the snapshot is gone (a new plugin instance) and the file has changed is a cursor
// refused, with LB_ERR_TARGET telling the host to start that kind again from the first page.
//
// It also reads delimited text (CSV, DATEV's EXTF) into rows that know their line.
//
// Header-only, C++17 standard library only: installed with the SDK for third-party plugins.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ledgerbridge/model.hpp"
#include "ledgerbridge/plugin.hpp"

namespace ledgerbridge::sdk {

/// How a malformed master-data file is reported: Error(LB_ERR_TARGET,
/// "<file>:<line>: <field>: <problem>") — the file is the target, and the person fixing it
/// needs the place. `line` is 1-based; `field` names the record or column.
inline Error masterDataFileError(const std::string& file, std::size_t line, const std::string& field,
                                 const std::string& problem) {
    return Error(LB_ERR_TARGET, file + ":" + std::to_string(line) + ": " + field + ": " + problem);
}

struct DelimitedRow {
    std::size_t line = 0;  ///< where the row starts (a quoted field may span lines)
    std::vector<std::string> fields;
};

/// The rows of a delimited text file (RFC 4180 with `delimiter` for `,`: CSV, DATEV's EXTF):
/// `delimiter` separates, `"…"` quotes (`""` inside is a quote; CR and LF inside are data),
/// rows end in CRLF or LF; a UTF-8 byte order mark at the start is dropped; blank lines are
/// passed over. Bytes are returned as they are (decoding is the caller's). Throws
/// masterDataFileError for a quoted field not closed, text after a closing quote, or a quote
/// inside an unquoted field.
inline std::vector<DelimitedRow> delimitedRows(const std::string& file, const std::string& bytes, char delimiter) {
    std::vector<DelimitedRow> rows;
    std::size_t i = bytes.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0, line = 1;
    while (i < bytes.size()) {
        DelimitedRow row{line, {}};
        std::string field;
        bool endOfRow = false;
        while (!endOfRow) {
            if (i < bytes.size() && bytes[i] == '"') {
                const std::size_t opened = line;
                for (++i;; ++i) {
                    if (i >= bytes.size())
                        throw masterDataFileError(file, opened, "field " + std::to_string(row.fields.size() + 1),
                                                  "a quoted field is not closed (\" missing)");
                    if (bytes[i] == '"' && i + 1 < bytes.size() && bytes[i + 1] == '"') {
                        field += '"';
                        ++i;
                    } else if (bytes[i] == '"') {
                        ++i;
                        break;
                    } else {
                        if (bytes[i] == '\n') ++line;
                        field += bytes[i];
                    }
                }
                if (i < bytes.size() && bytes[i] != delimiter && bytes[i] != '\n' && bytes.compare(i, 2, "\r\n") != 0)
                    throw masterDataFileError(file, line, "field " + std::to_string(row.fields.size() + 1),
                                              "text after the closing quote (a quote inside a field is written \"\")");
            } else {
                while (i < bytes.size() && bytes[i] != delimiter && bytes[i] != '\n' && bytes.compare(i, 2, "\r\n") != 0) {
                    if (bytes[i] == '"')
                        throw masterDataFileError(file, line, "field " + std::to_string(row.fields.size() + 1),
                                                  "a quote in an unquoted field (quote the whole field)");
                    field += bytes[i++];
                }
            }
            row.fields.push_back(std::move(field));
            field.clear();
            if (i < bytes.size() && bytes[i] == delimiter) {
                ++i;
            } else {
                i += i >= bytes.size() ? 0 : bytes[i] == '\r' ? 2 : 1;
                ++line;
                endOfRow = true;
            }
        }
        if (!(row.fields.size() == 1 && row.fields[0].empty())) rows.push_back(std::move(row));
    }
    return rows;
}

/// Every record one file holds, by kind, in file order.
using MasterRecordsByKind = std::map<MasterKind, std::vector<MasterRecord>>;

class MasterDataFilePager {
public:
    /// Parses the whole file's bytes; throws masterDataFileError for a malformed file.
    using Parser = std::function<MasterRecordsByKind(const std::string& bytes)>;

    /// One page of request.kind from the file at `path` (the caller has decided the file can
    /// hold that kind; an empty file gives one empty last page). Throws Error: LB_ERR_TARGET
    /// when the file cannot be read or changed under a cursor whose snapshot is gone,
    /// LB_ERR_INVALID_ARGUMENT for a cursor this pager did not give.
    MasterDataPage page(const MasterDataRequest& request, const std::string& path, const Parser& parse) {
        std::size_t offset = 0;
        std::string wanted;  // the snapshot the cursor belongs to
        if (!request.cursor.empty()) {
            const auto at = request.cursor.find('@');
            const std::string number = request.cursor.substr(0, at);
            if (at == std::string::npos || number.empty() || number.size() > 12 ||
                number.find_first_not_of("0123456789") != std::string::npos)
                throw Error(LB_ERR_INVALID_ARGUMENT, "master-data cursor '" + request.cursor + "' is not one this plugin gave");
            offset = static_cast<std::size_t>(std::stoull(number));
            wanted = request.cursor.substr(at + 1);
        }
        Snapshot* snapshot = nullptr;
        auto cached = snapshots_.find(path);
        if (!wanted.empty() && cached != snapshots_.end() && cached->second.fingerprint == wanted) {
            snapshot = &cached->second;
        } else {
            const std::string bytes = readAll(path, request.kind);
            const std::string fingerprint = fingerprintOf(bytes);
            if (!wanted.empty() && fingerprint != wanted)
                throw Error(LB_ERR_TARGET, path + " changed while its " + masterKindName(request.kind) +
                                               " records were read page by page (after " + std::to_string(offset) +
                                               " records); nothing of the changed file was used: read " +
                                               masterKindName(request.kind) + " again from the first page");
            if (cached == snapshots_.end() || cached->second.fingerprint != fingerprint)
                snapshots_[path] = Snapshot{fingerprint, parse(bytes)};
            snapshot = &snapshots_[path];
        }
        static const std::vector<MasterRecord> none;
        const auto kind = snapshot->records.find(request.kind);
        const std::vector<MasterRecord>& all = kind == snapshot->records.end() ? none : kind->second;
        if (offset > all.size())
            throw Error(LB_ERR_INVALID_ARGUMENT, "master-data cursor '" + request.cursor + "' points past the " +
                                                     std::to_string(all.size()) + " records of " + path);
        const std::size_t size = request.pageSize == 0 ? 500 : request.pageSize;
        const std::size_t end = all.size() - offset < size ? all.size() : offset + size;
        MasterDataPage page;
        page.records.assign(all.begin() + static_cast<std::ptrdiff_t>(offset), all.begin() + static_cast<std::ptrdiff_t>(end));
        if (end < all.size()) page.nextCursor = std::to_string(end) + "@" + snapshot->fingerprint;
        return page;
    }

private:
    struct Snapshot {
        std::string fingerprint;
        MasterRecordsByKind records;
    };

    static std::string readAll(const std::string& path, MasterKind kind) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream bytes;
        if (in) bytes << in.rdbuf();
        if (!in || in.bad())
            throw Error(LB_ERR_TARGET, "cannot read the " + masterKindName(kind) + " file " + path + ": " +
                                           std::strerror(errno));
        return bytes.str();
    }

    /// Size and FNV-1a 64 of the bytes: a file rewritten within the same second (same mtime)
    /// is still told apart.
    static std::string fingerprintOf(const std::string& bytes) {
        std::uint64_t hash = 14695981039346656037ull;
        for (char c : bytes) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ull;
        }
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
        return std::to_string(bytes.size()) + "-" + hex;
    }

    std::map<std::string, Snapshot> snapshots_;  ///< by path: the parse of the content last read
};

}  // namespace ledgerbridge::sdk

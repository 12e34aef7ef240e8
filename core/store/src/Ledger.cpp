// The export ledger: see Ledger.h.
#include "ledgerbridge/store/Ledger.h"


#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/store/Integrity.h"

namespace ledgerbridge::store {

const char* toString(EntryState s) {
    switch (s) {
        case EntryState::Planned: return "planned";
        case EntryState::Pushing: return "pushing";
        case EntryState::Posted: return "posted";
        case EntryState::Rejected: return "rejected";
        case EntryState::Retryable: return "retryable";
        case EntryState::Unknown: return "unknown";
    }
    return "planned";
}

EntryState entryStateFromString(const std::string& s) {
    for (EntryState e : {EntryState::Planned, EntryState::Pushing, EntryState::Posted, EntryState::Rejected,
                         EntryState::Retryable, EntryState::Unknown})
        if (s == toString(e)) return e;
    throw StoreError("the export ledger holds an unknown entry state '" + s + "'");
}

namespace {

// The ledger row's columns, `l` being the ledger; the export item (payload) lives in
// ledger_payloads and is joined only where the engine maps it.
#define LB_ENTRY_COLUMNS                                                                                        \
    "l.fingerprint, l.job_id, l.entry_id, l.seq, l.content_hash, l.idempotency_key, l.amount_minor, l.currency, " \
    "l.state, l.external_id, l.external_url, l.exported_at, l.failure_type, l.failure_reason, l.attempts, "     \
    "l.reported"
#define LB_SELECT_ENTRIES "SELECT " LB_ENTRY_COLUMNS " FROM ledger l "
// The payload may be NULL: its row is missing (damage), which the integrity check reports.
#define LB_SELECT_ENTRIES_WITH_PAYLOAD \
    "SELECT " LB_ENTRY_COLUMNS ", p.payload FROM ledger l LEFT JOIN ledger_payloads p ON p.entry = l.id "

LedgerEntry readEntry(Statement& q) {
    LedgerEntry e;
    e.fingerprint = q.getColumn(0).getString();
    e.jobId = q.getColumn(1).getString();
    e.entryId = q.getColumn(2).getString();
    e.seq = q.getColumn(3).getInt64();
    e.contentHash = q.getColumn(4).getString();
    e.idempotencyKey = q.getColumn(5).getString();
    e.amountMinor = q.getColumn(6).getInt64();
    e.currency = q.getColumn(7).getString();
    e.state = entryStateFromString(q.getColumn(8).getString());
    e.externalId = q.getColumn(9).getString();
    e.externalUrl = q.getColumn(10).getString();
    e.exportedAt = q.getColumn(11).getString();
    e.failureType = q.getColumn(12).getString();
    e.failureReason = q.getColumn(13).getString();
    e.attempts = q.getColumn(14).getInt();
    e.reported = q.getColumn(15).getInt() != 0;
    if (q.getColumnCount() > 16) e.payload = q.getColumn(16).getString();  // NULL reads as ""
    return e;
}

/// Why a staged item read back with its payload cannot be used, or "" when its bytes still
/// have the SHA-256 recorded at staging. Checked every time an item is handed out, before any
/// use: mapping, validation, the push, a lookup.
std::string damageOf(const LedgerEntry& e, bool payloadMissing) {
    if (payloadMissing) return "its stored export item is missing";
    const std::string actual = sha256Hex(e.payload);
    if (actual == e.contentHash) return {};
    return "its stored export item has SHA-256 " + actual.substr(0, 16) + "…, not the " +
           e.contentHash.substr(0, 16) + "… recorded when it was staged";
}

const char* kJobColumns =
    "fingerprint, job_id, connection, phase, number_of_items, items_cursor, items_complete, started_sent, final_event, "
    "final_reason, final_sent, run_id";

JobRecord readJob(Statement& q) {
    JobRecord j;
    j.fingerprint = q.getColumn(0).getString();
    j.jobId = q.getColumn(1).getString();
    j.connection = q.getColumn(2).getString();
    j.phase = q.getColumn(3).getString();
    j.numberOfItems = q.getColumn(4).getInt64();
    j.itemsCursor = q.getColumn(5).getString();
    j.itemsComplete = q.getColumn(6).getInt() != 0;
    j.startedSent = q.getColumn(7).getInt() != 0;
    j.finalEvent = q.getColumn(8).getString();
    j.finalReason = q.getColumn(9).getString();
    j.finalSent = q.getColumn(10).getInt() != 0;
    j.runId = q.getColumn(11).getString();
    return j;
}

}  // namespace

void Ledger::write(const std::function<void(Session&)>& work, StateStore::Durability durability) {
    store_.transaction([&](Session& db) {
        if (fence_) Leases::checkFence(store_, *fence_);
        work(db);
    }, durability);
}

std::optional<JobRecord> Ledger::job(const std::string& fingerprint, const std::string& jobId) {
    std::optional<JobRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string("SELECT ") + kJobColumns + " FROM export_jobs WHERE fingerprint = ? AND job_id = ?");
        q.bind(1, fingerprint);
        q.bind(2, jobId);
        if (q.executeStep()) out = readJob(q);
    });
    return out;
}

void Ledger::saveJob(const JobRecord& j) {
    write([&](Session& db) {
        Statement up(db, std::string("INSERT INTO export_jobs (") + kJobColumns +
                                     ", created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                                     "ON CONFLICT(fingerprint, job_id) DO UPDATE SET connection=excluded.connection, "
                                     "phase=excluded.phase, number_of_items=excluded.number_of_items, "
                                     "items_cursor=excluded.items_cursor, items_complete=excluded.items_complete, "
                                     "started_sent=excluded.started_sent, final_event=excluded.final_event, "
                                     "final_reason=excluded.final_reason, final_sent=excluded.final_sent, "
                                     "run_id=excluded.run_id, updated_at=excluded.updated_at");
        std::int64_t now = nowMs();
        up.bind(1, j.fingerprint);
        up.bind(2, j.jobId);
        up.bind(3, j.connection);
        up.bind(4, j.phase);
        up.bind(5, j.numberOfItems);
        up.bind(6, j.itemsCursor);
        up.bind(7, j.itemsComplete ? 1 : 0);
        up.bind(8, j.startedSent ? 1 : 0);
        up.bind(9, j.finalEvent);
        up.bind(10, j.finalReason);
        up.bind(11, j.finalSent ? 1 : 0);
        up.bind(12, j.runId);
        up.bind(13, now);
        up.bind(14, now);
        up.exec();
    });
}

std::vector<JobRecord> Ledger::unfinishedJobs(const std::string& fingerprint, const std::string& connection) {
    std::vector<JobRecord> out;
    store_.read([&](Session& db) {
        Statement q(db, std::string("SELECT ") + kJobColumns +
                                    " FROM export_jobs WHERE fingerprint = ? AND connection = ? AND phase != 'finished' "
                                    "ORDER BY created_at, job_id");
        q.bind(1, fingerprint);
        q.bind(2, connection);
        while (q.executeStep()) out.push_back(readJob(q));
    });
    return out;
}

void Ledger::stagePage(const std::string& fingerprint, const std::string& jobId, const std::vector<LedgerEntry>& entries,
                       const std::string& nextCursor, bool complete) {
    // Durable against a killed process, not yet against power loss (no fsync of its own): a staged
    // page that power loss takes away goes with its cursor (one commit), so the next run fetches it
    // from Pleo again. Nothing is pushed before markPushing's commit, whose fsync also makes this
    // one durable (the write-ahead log is synced in order).
    write([&](Session& db) {
        std::int64_t next = 0;  // the next seq: how many entries the job has staged
        {
            auto q = store_.cached("SELECT staged FROM export_jobs WHERE fingerprint = ? AND job_id = ?");
            q->bind(1, fingerprint);
            q->bind(2, jobId);
            if (!q->executeStep())
                throw StoreError("cannot stage items for export job " + jobId + ": the job is not in the ledger");
            next = q->getColumn(0).getInt64();
        }
        // The new row's id: PostgreSQL answers it with RETURNING. SQLite could too, but it keeps
        // RETURNING's rows in a temporary table: staging 100,000 entries took about 40% more
        // CPU that way, so SQLite counts the change and reads last_insert_rowid as before.
        const bool returning = db.dialect() == Dialect::PostgreSQL;
        auto ins = store_.cached(std::string("INSERT INTO ledger (fingerprint, job_id, entry_id, seq, content_hash, "
                                             "idempotency_key, amount_minor, currency, state, updated_at) "
                                             "VALUES (?,?,?,?,?,?,?,?,'planned',?) ON CONFLICT DO NOTHING") +
                                 (returning ? " RETURNING id" : ""));
        auto payload = store_.cached("INSERT INTO ledger_payloads (entry, payload) VALUES (?, ?)");
        const std::int64_t now = nowMs();
        for (const auto& e : entries) {
            ins->reset();
            ins->bind(1, fingerprint);
            ins->bind(2, jobId);
            ins->bind(3, e.entryId);
            ins->bind(4, next);
            ins->bind(5, e.contentHash);
            ins->bind(6, e.idempotencyKey);
            ins->bind(7, e.amountMinor);
            ins->bind(8, e.currency);
            ins->bind(9, now);
            const bool inserted = returning ? ins->executeStep() : ins->exec() == 1;
            if (!inserted) {  // already staged (a page fetched again after a crash)
                restoreIfDamaged(fingerprint, jobId, e);
                continue;
            }
            const std::int64_t row = returning ? ins->getColumn(0).getInt64() : db.lastInsertId();
            ++next;
            payload->reset();
            payload->bind(1, row);
            payload->bind(2, e.payload);
            payload->exec();
        }
        auto up = store_.cached("UPDATE export_jobs SET items_cursor = ?, items_complete = ?, staged = ?, updated_at = ? "
                                "WHERE fingerprint = ? AND job_id = ?");
        up->bind(1, nextCursor);
        up->bind(2, complete ? 1 : 0);
        up->bind(3, next);
        up->bind(4, now);
        up->bind(5, fingerprint);
        up->bind(6, jobId);
        up->exec();
    }, StateStore::Durability::ProcessCrash);
}

std::vector<LedgerEntry> Ledger::entries(const std::string& fingerprint, const std::string& jobId, EntryState state,
                                         std::size_t limit, std::int64_t afterSeq, bool withPayload) {
    std::vector<LedgerEntry> out;
    std::string damage, damaged;
    store_.read([&](Session&) {
        auto q = store_.cached(std::string(withPayload ? LB_SELECT_ENTRIES_WITH_PAYLOAD : LB_SELECT_ENTRIES) +
                               "WHERE l.fingerprint = ? AND l.job_id = ? AND l.state = ? AND l.seq > ? "
                               "ORDER BY l.seq LIMIT ?");
        q->bind(1, fingerprint);
        q->bind(2, jobId);
        q->bind(3, toString(state));
        q->bind(4, afterSeq);
        q->bind(5, static_cast<std::int64_t>(limit));
        while (q->executeStep()) {
            out.push_back(readEntry(*q));
            if (withPayload && damage.empty()) {
                damage = damageOf(out.back(), q->getColumn(16).isNull());
                if (!damage.empty()) damaged = out.back().entryId;
            }
        }
    });
    if (!damage.empty()) stopOnDamage(fingerprint, jobId, damaged, damage);
    return out;
}

std::optional<LedgerEntry> Ledger::entry(const std::string& fingerprint, const std::string& jobId,
                                         const std::string& entryId, bool withPayload) {
    std::optional<LedgerEntry> out;
    std::string damage;
    store_.read([&](Session&) {
        auto q = store_.cached(std::string(withPayload ? LB_SELECT_ENTRIES_WITH_PAYLOAD : LB_SELECT_ENTRIES) +
                               "WHERE l.fingerprint = ? AND l.job_id = ? AND l.entry_id = ?");
        q->bind(1, fingerprint);
        q->bind(2, jobId);
        q->bind(3, entryId);
        if (q->executeStep()) {
            out = readEntry(*q);
            if (withPayload) damage = damageOf(*out, q->getColumn(16).isNull());
        }
    });
    if (!damage.empty()) stopOnDamage(fingerprint, jobId, entryId, damage);
    return out;
}

void Ledger::restoreIfDamaged(const std::string& fingerprint, const std::string& jobId, const LedgerEntry& fresh) {
    // Called inside stagePage's transaction for an entry staged before. Intact (the usual
    // case): nothing changes, the entry keeps the item it was staged with.
    auto q = store_.cached("SELECT l.id, l.content_hash, l.state, l.attempts, p.payload FROM ledger l "
                           "LEFT JOIN ledger_payloads p ON p.entry = l.id "
                           "WHERE l.fingerprint = ? AND l.job_id = ? AND l.entry_id = ?");
    q->bind(1, fingerprint);
    q->bind(2, jobId);
    q->bind(3, fresh.entryId);
    if (!q->executeStep()) return;
    const std::int64_t row = q->getColumn(0).getInt64();
    const std::string recorded = q->getColumn(1).getString();
    const std::string state = q->getColumn(2).getString();
    const int attempts = q->getColumn(3).getInt();
    const bool missing = q->getColumn(4).isNull();
    if (!missing && sha256Hex(q->getColumn(4).getString()) == recorded) return;
    if (sha256Hex(fresh.payload) != fresh.contentHash) return;  // a caller's bad hash never repairs anything
    const bool same = fresh.contentHash == recorded;
    // Pleo's copy is provably the item that was staged: put it back. A different copy (the
    // expense changed in Pleo) replaces the item only if the entry never went to the target,
    // so the entry is delivered as Pleo has it now; otherwise the damage stays and is reported.
    if (!same && !(state == "planned" && attempts == 0)) {
        log::error("a damaged staged export item cannot be restored: Pleo's copy differs from what was staged and the entry "
                   "may already be in the target",
                   {{"job", jobId}, {"entry", fresh.entryId}, {"state", state}});
        return;
    }
    auto put = store_.cached("INSERT INTO ledger_payloads (entry, payload) VALUES (?, ?) "
                             "ON CONFLICT (entry) DO UPDATE SET payload = excluded.payload");
    put->bind(1, row);
    put->bind(2, fresh.payload);
    put->exec();
    if (!same) {
        auto up = store_.cached("UPDATE ledger SET content_hash = ?, idempotency_key = ?, amount_minor = ?, currency = ?, "
                                "updated_at = ? WHERE id = ?");
        up->bind(1, fresh.contentHash);
        up->bind(2, fresh.idempotencyKey);
        up->bind(3, fresh.amountMinor);
        up->bind(4, fresh.currency);
        up->bind(5, nowMs());
        up->bind(6, row);
        up->exec();
    }
    log::warn(same ? "a damaged staged export item was restored from Pleo's identical copy"
                   : "a damaged staged export item, never offered to the target, was replaced by Pleo's current copy",
              {{"job", jobId}, {"entry", fresh.entryId}});
}

void Ledger::refetchItems(const std::string& fingerprint, const std::string& jobId) {
    write([&](Session&) {
        auto up = store_.cached("UPDATE export_jobs SET items_cursor = '', items_complete = 0, updated_at = ? "
                                "WHERE fingerprint = ? AND job_id = ?");
        up->bind(1, nowMs());
        up->bind(2, fingerprint);
        up->bind(3, jobId);
        up->exec();
    });
}

void Ledger::stopOnDamage(const std::string& fingerprint, const std::string& jobId, const std::string& entryId,
                          const std::string& damage) {
    // The one safe source of the item is Pleo, while the job is open: the next run reads the
    // job's items again and stagePage puts Pleo's copy back when it has the recorded hash.
    bool refetch = true;
    try {
        refetchItems(fingerprint, jobId);
    } catch (const StoreError&) {
        refetch = false;  // the database may be too damaged to write; the message says what to do
    }
    throw StagedItemDamaged(
        "state store: export job " + jobId + ", entry " + entryId + ": " + damage + " (state database " +
            store_.path() + "); nothing of this entry was sent to the target or to Pleo, and the job stops here. " +
            (refetch ? "The next run reads the job's items from Pleo again and restores the item when Pleo's copy is "
                       "the one that was staged: run again while the job is open. If this error comes back, "
                     : "") +
            "recover the state database (" + kRecoveryHint + ").",
        jobId, entryId);
}

std::optional<LedgerEntry> Ledger::postedElsewhere(const std::string& fingerprint, const std::string& entryId,
                                                   const std::string& exceptJobId) {
    auto found = postedElsewhere(fingerprint, std::vector<std::string>{entryId}, exceptJobId);
    if (found.empty()) return std::nullopt;
    return std::move(found.begin()->second);
}

std::map<std::string, LedgerEntry> Ledger::postedElsewhere(const std::string& fingerprint,
                                                           const std::vector<std::string>& entryIds,
                                                           const std::string& exceptJobId) {
    std::map<std::string, LedgerEntry> out;
    store_.read([&](Session&) {
        auto q = store_.cached(LB_SELECT_ENTRIES
                               "WHERE l.fingerprint = ? AND l.entry_id = ? AND l.job_id != ? AND l.state = 'posted' "
                               "LIMIT 1");
        for (const std::string& id : entryIds) {
            q->reset();
            q->bind(1, fingerprint);
            q->bind(2, id);
            q->bind(3, exceptJobId);
            if (q->executeStep()) out.emplace(id, readEntry(*q));
        }
    });
    return out;
}

void Ledger::updateEach(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& ids,
                        const std::string& set) {
    auto up = store_.cached("UPDATE ledger SET " + set + ", updated_at = ? "
                            "WHERE fingerprint = ? AND job_id = ? AND entry_id = ?");
    const std::int64_t now = nowMs();
    for (const std::string& id : ids) {
        up->reset();
        up->bind(1, now);
        up->bind(2, fingerprint);
        up->bind(3, jobId);
        up->bind(4, id);
        up->exec();
    }
}

void Ledger::markPushing(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& ids,
                         const std::vector<LedgerEntry>& settled) {
    if (ids.empty() && settled.empty()) return;
    write([&](Session&) {
        writeOutcomes(settled);
        updateEach(fingerprint, jobId, ids, "state = 'pushing', attempts = attempts + 1");
    });
}

void Ledger::recordOutcome(const LedgerEntry& e) { recordOutcomes({e}); }

void Ledger::recordOutcomes(const std::vector<LedgerEntry>& outcomes) {
    if (outcomes.empty()) return;
    // One transaction (one fsync) for a whole batch: a batch's outcomes arrive together from
    // the plugin; a crash before the commit leaves them `pushing`, which the next run resolves
    // by lookup before anything is sent again.
    write([&](Session&) { writeOutcomes(outcomes); });
}

void Ledger::writeOutcomes(const std::vector<LedgerEntry>& outcomes) {
    auto up = store_.cached("UPDATE ledger SET state = ?, external_id = ?, external_url = ?, exported_at = ?, "
                            "failure_type = ?, failure_reason = ?, updated_at = ? "
                            "WHERE fingerprint = ? AND job_id = ? AND entry_id = ?");
    const std::int64_t now = nowMs();
    for (const LedgerEntry& e : outcomes) {
        up->reset();
        up->bind(1, toString(e.state));
        up->bind(2, e.externalId);
        up->bind(3, e.externalUrl);
        up->bind(4, e.exportedAt);
        up->bind(5, e.failureType);
        up->bind(6, e.failureReason);
        up->bind(7, now);
        up->bind(8, e.fingerprint);
        up->bind(9, e.jobId);
        up->bind(10, e.entryId);
        if (up->exec() != 1)
            throw StoreError("cannot record the outcome of entry " + e.entryId + " of job " + e.jobId +
                             ": it is not in the ledger");
    }
}

std::vector<LedgerEntry> Ledger::unreported(const std::string& fingerprint, const std::string& jobId, std::size_t limit,
                                            std::int64_t upToSeq) {
    std::vector<LedgerEntry> out;
    store_.read([&](Session&) {
        auto q = store_.cached(LB_SELECT_ENTRIES
                               "WHERE l.fingerprint = ? AND l.job_id = ? AND l.reported = 0 "
                               "AND l.state IN ('posted', 'rejected') AND l.seq <= ? "  // = ledger_unreported
                               "ORDER BY l.seq LIMIT ?");
        q->bind(1, fingerprint);
        q->bind(2, jobId);
        q->bind(3, upToSeq);
        q->bind(4, static_cast<std::int64_t>(limit));
        while (q->executeStep()) out.push_back(readEntry(*q));
    });
    return out;
}

void Ledger::markReported(const std::string& fingerprint, const std::string& jobId, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    write([&](Session&) { updateEach(fingerprint, jobId, ids, "reported = 1"); });
}

namespace {
/// Runs `sql`, whose two parameters are the job's fingerprint and id, handing `row` each row.
template <typename Row>
void eachRowOfJob(StateStore& store, const char* sql, const std::string& fingerprint, const std::string& jobId, Row&& row) {
    auto q = store.cached(sql);
    q->bind(1, fingerprint);
    q->bind(2, jobId);
    while (q->executeStep()) row(*q);
}
}  // namespace

JobCounts Ledger::counts(const std::string& fingerprint, const std::string& jobId) {
    JobCounts c;
    store_.read([&](Session&) {
        eachRowOfJob(store_,
                     "SELECT state, COUNT(*), SUM(reported), SUM(CASE WHEN attempts = 0 THEN 1 ELSE 0 END) FROM ledger "
                     "WHERE fingerprint = ? AND job_id = ? GROUP BY state",
                     fingerprint, jobId, [&](Statement& q) {
                         const std::string state = q.getColumn(0).getString();
                         c.byState[state] = q.getColumn(1).getInt64();
                         c.total += q.getColumn(1).getInt64();
                         c.reported += q.getColumn(2).getInt64();
                         if (state == "posted") c.alreadyPosted = q.getColumn(3).getInt64();
                     });
        // Posted without an attempt = recognised as posted under an earlier job (see JobCounts).
        eachRowOfJob(store_,
                     "SELECT currency, attempts = 0, SUM(amount_minor) FROM ledger WHERE fingerprint = ? "
                     "AND job_id = ? AND state = 'posted' GROUP BY currency, attempts = 0",
                     fingerprint, jobId, [&](Statement& a) {
                         (a.getColumn(1).getInt() ? c.alreadyPostedAmountByCurrency
                                                  : c.postedAmountByCurrency)[a.getColumn(0).getString()] =
                             a.getColumn(2).getInt64();
                     });
    });
    return c;
}

Ledger::Decided Ledger::decided(const std::string& fingerprint, const std::string& jobId) {
    Decided d;
    store_.read([&](Session&) {
        eachRowOfJob(store_,
                     "SELECT state, COUNT(*) FROM ledger WHERE fingerprint = ? AND job_id = ? "
                     "AND state IN ('posted', 'rejected') GROUP BY state",
                     fingerprint, jobId, [&](Statement& q) {
                         (q.getColumn(0).getString() == "posted" ? d.posted : d.rejected) = q.getColumn(1).getInt64();
                     });
    });
    return d;
}

}  // namespace ledgerbridge::store

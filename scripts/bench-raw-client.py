#!/usr/bin/env python3
"""The baseline for scripts/bench-export: a raw client that makes the same Export API requests
as one `ledgerbridge run` of one job, and nothing else — no state store, no plugin, no ledger.
A fresh TLS connection per request, like ledgerbridge's transport. Prints the requests made.

usage: bench-raw-client.py BASE_URL CA_FILE API_KEY JOB_ID
"""
import http.client
import json
import ssl
import sys
import urllib.parse

base, ca, key, job = sys.argv[1:5]
url = urllib.parse.urlparse(base)
ctx = ssl.create_default_context(cafile=ca)
import base64
auth = "Basic " + base64.b64encode((key + ":").encode()).decode()
requests = 0


def call(method, path, body=None):
    global requests
    requests += 1
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx)
    headers = {"Authorization": auth, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json;charset=UTF-8"
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse()
    text = res.read()
    conn.close()
    if res.status >= 300:
        sys.exit(f"{method} {path}: HTTP {res.status}: {text[:200]!r}")
    return json.loads(text) if text else None


def pages(path):
    after = ""
    while True:
        page = call("GET", path + ("&after=" + after if after else ""))
        yield page["data"]
        if not page["pagination"]["hasNextPage"]:
            return
        after = page["pagination"]["endCursor"]


call("GET", "/v3/export-jobs?statuses=pending&limit=100")
call("POST", "/v3/export-job-events", {"event": "started", "jobId": job})
ids = []
for data in pages(f"/v3/export-items?job_id={job}&limit=100"):
    ids.extend(item["accountingEntryId"] for item in data)
for i in range(0, len(ids), 100):
    call("PUT", f"/v3/export-jobs/{job}/items",
         [{"accountingEntryId": e, "status": "successful", "externalId": "raw#" + e} for e in ids[i:i + 100]])
call("POST", "/v3/export-job-events", {"event": "completed", "jobId": job})
print(f"{requests} {len(ids)}")

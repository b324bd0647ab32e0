#!/usr/bin/env python3
"""Prepares a freshly seeded Samspor for the load benchmark, through its own JSON API.

    prepare.py BASE_URL TOKEN OUT_DIR EXTRA_COURSES

The demo data gives every municipality the same couple of dozen courses whatever its number of
children, too few to rotate course reads over and to spread session writes across. So, as the
coordinator, this opens EXTRA_COURSES more contacts for the municipality's own children, the way
staff would (Forsamtale, Screening, visitation decisions), then writes the ids the wrk scripts
rotate over, one per line, into OUT_DIR:

    children.txt        every child of the municipality (GET /api/v1/children, paged)
    paper_children.txt  those old enough for the SDQ parent form (4-17) with a margin
    courses.txt         every course of the municipality (the worklist with status=all)
    treatment.txt       active courses decided for a track: sessions can be recorded on them
    birth_dates.txt     DDMMYY birth dates giving ages 5-15, for new children's CPR numbers
    summary.json        the counts, for the report

Every request must succeed; anything else stops the benchmark before it measures.
Standard library only, one keep-alive connection.
"""

import http.client
import json
import random
import sys
import urllib.parse
from datetime import date, datetime, timedelta

try:
    from zoneinfo import ZoneInfo

    TODAY = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
except Exception:  # no tz database: UTC's date is never after Denmark's, so still not future
    TODAY = datetime.utcnow().date()

# The STIME track the prepared treatment courses are decided for, and its ages (tracks/).
TRACK, TRACK_AGES = "worry_sadness", (7, 16)


class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.requests = 0

    def call(self, method, path, body=None):
        self.requests += 1
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        r = self.conn.getresponse()
        raw = r.read()
        if not 200 <= r.status < 300:
            sys.exit(f"prepare: {method} {path} gave {r.status}: {raw[:500].decode(errors='replace')}")
        return json.loads(raw) if raw else None, len(raw)


def age_on(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def main():
    base, token, out, extra = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    api = Api(base, token)
    rng = random.Random(7)

    children, offset = [], 0
    while True:
        page, _ = api.call("GET", f"/api/v1/children?limit=500&offset={offset}")
        children += page
        offset += len(page)
        if len(page) < 500:
            break
    if not children:
        sys.exit("prepare: the coordinator's municipality has no children")
    for c in children:
        c["born"] = date.fromisoformat(c["birth_date"])

    # New contacts go to the municipality's children in a fixed shuffled order, each child once
    # as long as there are enough of them.
    order = children[:]
    rng.shuffle(order)
    opened = {"waiting": 0, "treatment": 0, "closed": 0}
    for i in range(extra):
        child = order[i % len(order)]
        age = age_on(child["born"], TODAY)
        kind = ("waiting", "treatment", "closed", "closed")[i % 4]
        if kind == "treatment" and not TRACK_AGES[0] <= age <= TRACK_AGES[1]:
            kind = "waiting"
        # Waiting courses arrived over the last 60 days; the others at least 3 days ago so that
        # their Forsamtale and Screening fit between the contact and today.
        days = i % 60 if kind == "waiting" else 3 + i % 57
        received = TODAY - timedelta(days=days)
        received_at = received.isoformat() if days == 0 else f"{received}T{8 + i % 8:02d}:{i * 7 % 60:02d}"
        source = ("self", "gp", "school", "other")[i % 4]
        contact = {
            "child_id": child["id"],
            "source": source,
            "received_at": received_at,
            "reason": "Forældrene er bekymrede for barnets trivsel.",
            "duration": "Et halvt år",
            "consent": "given",
            "themes": [("worry", "sadness", "behaviour", "restlessness_inattention")[i % 4]],
        }
        if source in ("gp", "school"):
            contact["referrer_name"] = "Læge Hansen" if source == "gp" else "Skolens AKT-lærer"
        course, _ = api.call("POST", "/api/v1/contacts", contact)
        cid = course["course_id"]
        if kind != "waiting":
            for step, kind_ in ((1, "forsamtale"), (2, "screening")):
                at = f"{received + timedelta(days=step)}T10:00"
                api.call("POST", f"/api/v1/courses/{cid}/encounters", {"type": kind_, "at": at})
            if kind == "treatment":
                decision = {"outcome": "track", "track": TRACK}
            else:
                decision = {"outcome": "gp", "way": {"destination": "gp", "note": "Familien er guidet til egen læge."}}
            # Demo children may have questionnaire answers that call for child psychiatry; then
            # any other decision needs a written reason (it is ignored where there are no signs).
            decision["reason_despite_signs"] = "Akut vurdering foretaget; risikoen er vurderet lav."
            api.call("POST", f"/api/v1/courses/{cid}/decisions", decision)
        opened[kind] += 1

    courses, _ = api.call("GET", "/api/v1/worklists/deadlines?status=all")
    active, worklist_bytes = api.call("GET", "/api/v1/worklists/deadlines")
    treatment = [c["course_id"] for c in courses if c["status"] == "active" and c["decided"]]
    # A few days' margin at both ends, so that no child crosses 4 or 17 during the run.
    paper = [c["id"] for c in children if 4 <= age_on(c["born"], TODAY - timedelta(days=3)) and age_on(c["born"], TODAY + timedelta(days=3)) <= 17]
    # Birth dates for ages 5 to 15 (comfortably inside 3-17), never 1 January: Cpr::synthetic
    # never uses it, and the numbers made from these must stay recognisably synthetic.
    dates = []
    d = TODAY - timedelta(days=16 * 365)
    while d <= TODAY - timedelta(days=5 * 366):
        if (d.month, d.day) != (1, 1):
            dates.append(d.strftime("%d%m%y"))
        d += timedelta(days=1)
    if not treatment or not paper or not courses:
        sys.exit("prepare: no course in treatment, no child for a paper SDQ or no course at all")

    def write(name, lines):
        with open(f"{out}/{name}", "w") as f:
            f.write("\n".join(lines) + "\n")

    write("children.txt", [c["id"] for c in children])
    write("paper_children.txt", paper)
    write("courses.txt", [c["course_id"] for c in courses])
    write("treatment.txt", treatment)
    write("birth_dates.txt", dates)
    summary = {
        "children": len(children),
        "courses": len(courses),
        "active": len(active),
        "treatment": len(treatment),
        "worklist_kb": round(worklist_bytes / 1024),
        "opened": opened,
        "prepare_requests": api.requests,
    }
    with open(f"{out}/summary.json", "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

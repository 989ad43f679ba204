"""Writes the example event streams (deterministic: seeded), so they can be regenerated and reviewed.

python examples/make_examples.py
"""

import csv
import datetime
import json
import pathlib
import random

import yaml

HERE = pathlib.Path(__file__).resolve().parent
COUNTIES = ["通川區", "達縣", "萬源市", "宣漢縣", "大竹縣", "渠縣", "開江縣"]
DEPARTMENTS = [
    "市發展改革委",
    "市經委",
    "市教育局",
    "市科技局",
    "市公安局",
    "市民政局",
    "市財政局",
    "市勞動保障局",
    "市交通局",
    "市農業局",
    "市林業局",
    "市衛生局",
    "市審計局",
    "市統計局",
    "市環保局",
    "市地稅局",
    "市扶貧辦",
    "市政務服務中心",
    "市旅游局",
    "市畜牧食品局",
]
OFFICES = ["市政府駐成都辦事處", "市政府駐重慶辦事處"]


def day(rng, month):
    return datetime.date(2009, month, rng.randint(1, 28)).isoformat()


def info_events():
    rng = random.Random(2009)
    events = []
    counter = iter(range(1, 100000))

    def add(**event):
        event = {"id": f"i{next(counter):04d}", **event}
        events.append(event)
        return event

    # activity per unit: counties report most, offices least
    activity = {u: rng.uniform(2.5, 5.5) for u in COUNTIES}
    activity.update({u: rng.uniform(0.3, 1.6) for u in DEPARTMENTS})
    activity.update({u: rng.uniform(0.4, 1.0) for u in OFFICES})
    for month in range(3, 13):  # March is before the method applies (A.4.7): kept, reported, not scored
        for unit, rate in activity.items():
            for _ in range(rng.randint(0, round(rate * 2))):
                outlet = rng.choices(["daily_provincial", "city_express", "picture_news", "province"], [4, 5, 2, 1])[0]
                event = {"unit": unit, "date": day(rng, month), "kind": "adopted", "outlet": outlet}
                if outlet == "daily_provincial":
                    event["category"] = rng.choices(["dynamic", "thematic"], [3, 1])[0]
                if outlet == "city_express" and rng.random() < 0.4:
                    event["column"] = rng.choice(["problems", "briefs"])
                if outlet == "picture_news" and rng.random() < 0.2:
                    event["quantity"] = rng.randint(2, 4)
                adopted = add(**event)
                if outlet in ("city_express", "province") and rng.random() < 0.12:
                    level = "city" if outlet == "city_express" else "province"
                    later = min(
                        datetime.date.fromisoformat(adopted["date"]) + datetime.timedelta(days=rng.randint(1, 9)),
                        datetime.date(2009, 12, 31),
                    )
                    add(unit=unit, date=later.isoformat(), kind="instruction", level=level, item=adopted["id"])
    for unit in COUNTIES + DEPARTMENTS[:6]:  # direct reporting points: quarterly provincial scores (A.4.5)
        for month in (6, 9, 12):
            add(
                unit=unit,
                date=f"2009-{month:02d}-30" if month != 12 else "2009-12-31",
                kind="provincial_score",
                value=str(round(rng.uniform(2, 15), 1)),
            )
    # A.4.5b: a department with no target that reports anyway
    for month in (5, 8, 11):
        add(unit="市信息產業局", date=day(rng, month), kind="adopted", outlet="picture_news")
    events.append(dict(events[40]))  # a re-send: counted once, reported
    events.sort(key=lambda e: (e["date"], e["id"]))
    return events


def informatization_events():
    rng = random.Random(100)
    events = []
    counter = iter(range(1, 100000))

    def add(**event):
        events.append({"id": f"x{next(counter):04d}", "unit": "達州市", **event})

    for task, date in [
        ("data_exchange_platform", "2009-05-18"),
        ("supervision_sharing", "2009-06-10"),
        ("supervision_website_link", "2009-07-22"),
        ("extranet_access", "2009-04-30"),
        ("disclosure_catalog", "2009-03-15"),
        ("site_quality", "2009-02-20"),
        ("paperless_migration", "2009-06-26"),
        ("anti_tamper", "2009-03-01"),
        ("network_isolation", "2009-01-20"),
        ("site_quality", "2009-08-01"),
    ]:
        add(date=date, kind="milestone", task=task)
    for dept, date in [("市財政局", "2009-06-12"), ("市地稅局", "2009-06-20"), ("市工商局", "2009-07-03"), ("市財政局", "2009-09-09")]:
        add(date=date, kind="dept_exchange", dept=dept)
    # reply rates reported monthly from April; 在線咨詢 ends the year below 50% (B.2.1.2 costs a point)
    for name, low, high in [("領導信箱", 0.75, 0.95), ("民意征集", 0.55, 0.8), ("在線咨詢", 0.35, 0.49)]:
        for month in range(4, 13):
            add(date=f"2009-{month:02d}-28", kind="interactive_column", name=name, reply_rate=str(round(rng.uniform(low, high), 2)))
    for month in (3, 7, 11):
        add(date=day(rng, month), kind="dead_link")
    for month in range(1, 13):
        # weekly batches submitted to the provincial portal; February falls short (B.2.2.1 is all-or-nothing)
        total = 95 if month == 2 else rng.randint(100, 140)
        cuts = sorted(rng.sample(range(1, total), 4))
        for week, (low, high) in enumerate(zip([0] + cuts, cuts + [total])):
            add(date=f"2009-{month:02d}-{3 + week * 6:02d}", kind="portal_submission", quantity=high - low)
        for _ in range(rng.randint(4, 9)):  # the portal adopts some of what was submitted, and crawls more
            add(date=day(rng, month), kind="portal_adoption", type="submitted")
        for _ in range(rng.randint(3, 6)):
            add(date=day(rng, month), kind="portal_adoption", type="crawled", quantity=rng.randint(3, 15))
        if month != 8:  # no update in August: B.4.1 loses one point
            for _ in range(rng.randint(1, 3)):
                add(date=day(rng, month), kind="extranet_update")
    add(date="2009-05-12", kind="co_built_column", level=2)
    add(date="2009-09-01", kind="service_item")
    add(date="2009-06-18", kind="online_interview", role="deputy")
    for kind, value in [("survey", 2), ("topic", 3), ("commissioned", 4)]:
        for _ in range(value):
            add(date=day(rng, rng.randint(3, 11)), kind="portal_adoption", type=kind)
    add(date="2009-10-14", kind="central_adoption")
    add(date="2009-09-03", kind="unreported_dead_link")
    for scope, values in [("city", [("2009-04-01", "0.31"), ("2009-09-30", "0.44")]), ("county", [("2009-09-30", "0.17")])]:
        for date, value in values:
            add(date=date, kind="access_rate", scope=scope, value=value)
    add(date="2009-11-20", kind="provincial_task_unfinished")
    add(date="2009-05-08", kind="inaccurate_filing")
    add(date="2009-10-08", kind="inaccurate_filing")
    events.sort(key=lambda e: (e["date"], e["id"]))
    return events


def write_jsonl(path, events):
    with open(path, "w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    info = info_events()
    write_jsonl(HERE / "2009_info.events.jsonl", info)
    # the same stream as a mainland reporting system writes it: every name in Simplified characters
    import opencc

    to_simplified = opencc.OpenCC("t2s").convert
    (HERE / "2009_info.events.zh-Hans.jsonl").write_text(
        to_simplified((HERE / "2009_info.events.jsonl").read_text(encoding="utf-8")), encoding="utf-8"
    )
    informatization = informatization_events()
    write_jsonl(HERE / "2009_informatization.events.jsonl", informatization)
    # the same kind of stream in the other formats: Q2 of the info stream as CSV, the year's milestones as YAML
    columns = ["id", "unit", "date", "kind", "outlet", "category", "column", "level", "item", "value", "quantity"]
    with open(HERE / "2009_info.q2.events.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for event in info:
            if "2009-04-01" <= event["date"] <= "2009-06-30":
                writer.writerow(event)
    yaml_events = [
        {**e, "reply_rate": float(e["reply_rate"])} if "reply_rate" in e else e
        for e in informatization
        if e["kind"] in ("milestone", "interactive_column", "access_rate")
    ]
    for e in yaml_events:
        if "value" in e:
            e["value"] = float(e["value"])
    (HERE / "2009_informatization.milestones.events.yaml").write_text(
        yaml.safe_dump(yaml_events, allow_unicode=True, sort_keys=False, default_flow_style=None), encoding="utf-8"
    )
    print(f"info: {len(info)} events; informatization: {len(informatization)} events")

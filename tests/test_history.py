"""The local sender history (history.py) and the checks that read it (checks/history.py).

The store: what it keeps, its size bound, several threads and processes at once, a corrupt file
rebuilt, clearing. The checks: each on messages built here, through the real pipeline offline, with
a legitimate look-alike beside each rule. Without history (the default) nothing changes.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from whence.history import Observation, Store, View, message_key
from whence.pipeline import Analysis
from whence.settings import Settings

PROVIDER = "mx.jp-mail.jp"
START = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)


def message(*, sender: str, n: int, days: int = 0, subject: str = "Your order has shipped",
            text: str = "Your order has shipped. Thank you for shopping with us.",
            html: str | None = None, auth: str | None = None, client: str = "203.0.113.10",
            client_name: str = "mail.jp.org") -> bytes:
    msg = EmailMessage()
    if auth is not None:
        msg["Authentication-Results"] = f"{PROVIDER}; {auth}"
    when = START + timedelta(days=days)
    msg["Received"] = (f"from {client_name} ({client_name} [{client}]) by {PROVIDER} (Postfix) with ESMTPS "
                       f"id 4WyK{n}; {format_datetime(when)}")
    msg["From"] = sender
    msg["To"] = "taro@example.jp"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{n}.{days}@history.test>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def amazon(n: int, days: int) -> bytes:
    return message(sender="Amazon.co.jp <shipment-tracking@amazon.co.jp>", n=n, days=days,
                   auth="spf=pass smtp.mailfrom=amazon.co.jp; dkim=pass header.d=amazon.co.jp; "
                        "dmarc=pass header.from=amazon.co.jp",
                   client_name="a27-1.smtp-out.amazonses.com",
                   html='<p>Your order has shipped.</p><a href="https://www.amazon.co.jp/gp/css/order-history">'
                        'Your orders</a>')


LURE_HTML = ('<p>Your account has been locked. Verify your account within 24 hours.</p>'
             '<a href="https://amazon-co-jp.account-verify.jp/login">Sign in</a>')
LURE_TEXT = "Your account has been locked. Verify your account within 24 hours."


def settings(path: Path) -> Settings:
    return Settings(offline=True, history=True, history_path=str(path))


def run(raw: bytes, path: Path | None) -> dict:
    s = settings(path) if path else Settings(offline=True)
    return Analysis(raw, s).offline_report()


def ids(report: dict) -> set[str]:
    return {f["id"] for f in report["findings"]}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


def year_of_amazon(db: Path, count: int = 12) -> None:
    for i in range(count):
        run(amazon(i, days=30 * i), db)


# --- the store ------------------------------------------------------------------------------------


def obs(i: int, address: str = "a@example.org", **kw) -> Observation:
    return Observation(key=message_key(f"<{i}@x>", address, None), date=1_700_000_000 + i * 86400,
                       address=address, domain=address.split("@")[1], authenticated=kw.pop("auth", True),
                       auth_domains=["example.org"], asn=kw.pop("asn", 64500), org="Example Net",
                       brands=kw.pop("brands", []), level=kw.pop("level", "safe"))


def test_store_aggregates_by_address_domain_and_brand_and_leaves_the_message_out(db: Path) -> None:
    store = Store(db)
    for i in range(3):
        store.record(obs(i, brands=["example"]))
    store.record(obs(9, "b@example.org", auth=False, asn=64501, brands=["example"]))
    agg = store.by_address("a@example.org")
    assert (agg.count, agg.authenticated, agg.networks) == (3, 3, [(64500, "Example Net")])
    assert store.by_address("a@example.org", exclude=obs(0).key).count == 2
    assert store.by_domain("example.org").count == 4
    habit = store.by_brand("example")
    assert habit.count == 3 and habit.domains == ["example.org"]  # the unauthenticated one teaches nothing
    store.record(obs(0))  # the same message again replaces its row
    assert store.total() == 4
    assert store.stats()["senders"] == 2


def test_store_keeps_facts_only(db: Path) -> None:
    run(message(sender="Shop <news@shop.jp>", n=1, subject="SECRET-SUBJECT", text="SECRET-BODY"), db)
    data = db.read_bytes() + (Path(f"{db}-wal").read_bytes() if Path(f"{db}-wal").exists() else b"")
    assert b"news@shop.jp" in data
    assert b"SECRET" not in data
    assert b"history.test" not in data  # the Message-ID is kept as a hash


def test_store_size_is_bounded(db: Path) -> None:
    store = Store(db, max_messages=50, max_contacts=10)
    for i in range(200):
        store.record(obs(i, f"s{i}@example.org"), now=1_800_000_000 + i)
    assert store.total() <= 50
    assert store.by_address("s199@example.org").count == 1  # the newest stay
    assert store.by_address("s0@example.org").count == 0  # the oldest went
    claims = sqlite3.connect(db).execute("SELECT count(*) FROM claims").fetchone()[0]
    assert claims == 0  # obs() claims nothing; see below for claims going with their messages
    for i in range(200):
        store.record(obs(1000 + i, f"b{i}@example.org", brands=["example"]), now=1_900_000_000 + i)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM claims").fetchone()[0] <= 50
    store.add_contacts([f"c{i}@example.org" for i in range(30)])
    assert store.stats()["contacts"] <= 10


def test_store_rebuilds_a_corrupt_file(db: Path) -> None:
    db.write_bytes(b"this is not an sqlite database" * 100)
    store = Store(db)
    store.record(obs(1))
    assert store.rebuilt and store.total() == 1
    assert Path(f"{db}.corrupt").exists()


def test_store_rebuilds_a_file_damaged_while_open(db: Path) -> None:
    store = Store(db)
    for i in range(50):
        store.record(obs(i, f"s{i}@example.org"))
    store.close()
    raw = bytearray(db.read_bytes() if db.stat().st_size else b"")
    Path(f"{db}-wal").unlink(missing_ok=True)
    raw[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)
    db.write_bytes(bytes(raw))
    again = Store(db)
    assert again.total() >= 0
    again.record(obs(99))
    assert again.by_address("a@example.org").count == 1


def test_analysis_goes_on_when_the_store_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    report = run(amazon(1, 0), blocker / "history.sqlite3")  # its folder is a file
    assert report["verdict"]["level"] == "safe" and "history" not in report


def test_store_threads_share_one_store(db: Path) -> None:
    store = Store(db)

    def work(t: int) -> None:
        for i in range(40):
            store.record(obs(t * 1000 + i, f"t{t}@example.org"))
            store.by_address(f"t{t}@example.org")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert store.total() == 160


def _process_work(path: str, t: int) -> None:
    store = Store(path)
    for i in range(40):
        store.record(obs(t * 1000 + i, f"p{t}@example.org"))
        store.by_domain("example.org")


def test_store_processes_share_one_file(db: Path) -> None:
    first = Store(db)  # created once, as the first host would, and closed before forking (SQLite's
    first.total()      # locks belong to the process: a connection must never cross a fork)
    first.close()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_process_work, args=(str(db), t)) for t in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert Store(db).total() == 120


def _first_open(path: str, start: threading.Barrier) -> None:
    start.wait()  # every process opens the new file at the same moment
    Store(path).total()


def test_processes_creating_the_store_at_once_all_open_it(tmp_path: Path) -> None:
    """The first run of `whence analyze -j N --history`: N workers create the file together. Switching
    it to WAL answered "database is locked" at once to all but one (about 1 round in 10 failed before)."""
    ctx = multiprocessing.get_context("fork")
    for n in range(40):
        start = ctx.Barrier(4)
        procs = [ctx.Process(target=_first_open, args=(str(tmp_path / f"h{n}.sqlite3"), start)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0], n


def test_clear_empties_everything(db: Path) -> None:
    store = Store(db)
    store.record(obs(1))
    store.add_contacts(["friend@example.org"])
    store.clear()
    assert store.stats()["messages"] == 0 and store.stats()["contacts"] == 0


# --- without history nothing changes ----------------------------------------------------------------


def test_without_history_the_report_is_unchanged(db: Path) -> None:
    raw = message(sender="Amazon <info@amazon-co-jp.account-verify.jp>", n=5, html=LURE_HTML,
                  text=LURE_TEXT, subject="Amazon: verify your account")
    plain = run(raw, None)
    assert "history" not in plain and not any(i.startswith("history.") for i in ids(plain))
    assert not db.exists()


def test_report_lists_the_history_used(db: Path) -> None:
    year_of_amazon(db, 3)
    report = run(amazon(3, 100), db)
    h = report["history"]
    assert h["messages"] == 3
    assert h["sender"]["address"] == "shipment-tracking@amazon.co.jp" and h["sender"]["count"] == 3
    assert h["sender"]["first"].startswith("2025-06-01")
    assert h["domain"]["domain"] == "amazon.co.jp"
    again = run(amazon(3, 100), db)  # analysing it again does not count it twice
    assert again["history"]["sender"]["count"] == 3


# --- history.brand_departure -------------------------------------------------------------------------


def test_brand_departure_flags_a_lookalike_after_a_year_of_real_mail(db: Path) -> None:
    year_of_amazon(db)
    fake = message(sender="Amazon.co.jp <info@amazon-co-jp-account.jp>", n=99, days=365,
                   auth="spf=pass smtp.mailfrom=amazon-co-jp-account.jp; dkim=pass "
                        "header.d=amazon-co-jp-account.jp; dmarc=pass header.from=amazon-co-jp-account.jp",
                   client_name="vps-1.cloud.jp", client="198.51.100.7", html=LURE_HTML, text=LURE_TEXT)
    report = run(fake, db)
    hit = next(f for f in report["findings"] if f["id"] == "history.brand_departure")
    assert hit["evidence"]["habit_domains"] == ["amazon.co.jp"] and hit["evidence"]["count"] == 12
    assert "amazon.co.jp" in hit["detail"]["en"] and "amazon.co.jp" in hit["detail"]["ja"]
    # the real ones never are
    for i in range(12):
        assert "history.brand_departure" not in ids(run(amazon(i, 30 * i), db))


def test_brand_departure_spares_the_brands_other_real_domain(db: Path) -> None:
    year_of_amazon(db)
    other = message(sender="Amazon.com <auto-confirm@amazon.com>", n=50, days=370,
                    auth="spf=pass smtp.mailfrom=amazon.com; dkim=pass header.d=amazon.com; "
                         "dmarc=pass header.from=amazon.com", client_name="a8-1.smtp-out.amazonses.com")
    assert "history.brand_departure" not in ids(run(other, db))


def test_brand_departure_by_sender_name(db: Path) -> None:
    for i in range(4):
        run(message(sender="Sakura Credit Union <notice@sakura-cu.jp>", n=i, days=20 * i,
                    auth="dmarc=pass header.from=sakura-cu.jp; dkim=pass header.d=sakura-cu.jp"), db)
    fake = message(sender="Sakura Credit Union <notice@sakura-cu-secure.jp>", n=9, days=100,
                   html=LURE_HTML, text=LURE_TEXT)
    hit = next(f for f in run(fake, db)["findings"] if f["id"] == "history.brand_departure")
    assert hit["severity"] == "medium" and hit["evidence"]["habit_domains"] == ["sakura-cu.jp"]
    # the same name from its usual domain, through its mail provider's other address: no hit
    real = message(sender="Sakura Credit Union <info@sakura-cu.jp>", n=10, days=101,
                   auth="dmarc=pass header.from=sakura-cu.jp", client_name="out.esp.jp")
    assert "history.brand_departure" not in ids(run(real, db))


def test_a_generic_name_has_no_habit(db: Path) -> None:
    for i, dom in enumerate(["a.jp", "b.jp", "c.jp", "d.jp", "e.jp"]):
        run(message(sender=f"Customer Care <care@{dom}>", n=i, days=i,
                    auth=f"dmarc=pass header.from={dom}"), db)
    other = message(sender="Customer Care <care@f.jp>", n=9, days=10, html=LURE_HTML, text=LURE_TEXT)
    assert "history.brand_departure" not in ids(run(other, db))


# --- history.first_contact -----------------------------------------------------------------------------


def fill(db: Path, n: int = 32) -> None:
    for i in range(n):
        run(message(sender=f"Friend {i} <f{i}@people{i}.jp>", n=i, days=i,
                    auth=f"dmarc=pass header.from=people{i}.jp"), db)


def test_first_contact_with_a_request_to_act(db: Path) -> None:
    fill(db)
    stranger = message(sender="Support <help@stranger-desk.jp>", n=77, days=30, subject="Action needed",
                       html=LURE_HTML, text=LURE_TEXT)
    assert "history.first_contact" in ids(run(stranger, db))


def test_first_contact_alone_is_not_a_finding(db: Path) -> None:
    fill(db)
    hello = message(sender="Hanako <hanako@new-friend.jp>", n=78, days=30, subject="Hello",
                    text="Nice to meet you at the conference yesterday.")
    report = run(hello, db)
    assert "history.first_contact" not in ids(report)
    assert report["history"]["sender"]["count"] == 0  # the panel says: first message


def test_first_contact_needs_a_history_and_spares_known_domains(db: Path) -> None:
    stranger = message(sender="Support <help@stranger-desk.jp>", n=77, days=30, html=LURE_HTML, text=LURE_TEXT)
    assert "history.first_contact" not in ids(run(stranger, db))  # an empty history says nothing
    fill(db)
    colleague = message(sender="IT <it@people3.jp>", n=79, days=31, html=LURE_HTML, text=LURE_TEXT)
    assert "history.first_contact" not in ids(run(colleague, db))  # a new address at a known domain


def test_first_contact_spares_contacts(db: Path) -> None:
    fill(db)
    Store(db).add_contacts(["help@stranger-desk.jp"])
    from whence import history
    history._STORES.clear()
    stranger = message(sender="Support <help@stranger-desk.jp>", n=77, days=30, html=LURE_HTML, text=LURE_TEXT)
    report = run(stranger, db)
    assert "history.first_contact" not in ids(report) and report["history"]["sender"]["contact"]


# --- history.sender_changed and history.known_sender ------------------------------------------------------


def colleague(n: int, days: int, auth: bool = True, client: str = "203.0.113.10") -> bytes:
    return message(sender="Jiro Sato <jiro@partner.jp>", n=n, days=days, subject="Minutes",
                   text="Here are the minutes of today's meeting.", client=client,
                   auth="spf=pass smtp.mailfrom=partner.jp; dkim=pass header.d=partner.jp; "
                        "dmarc=pass header.from=partner.jp" if auth else "spf=fail smtp.mailfrom=partner.jp; "
                        "dkim=none; dmarc=fail header.from=partner.jp")


def test_known_correspondent_failing_authentication(db: Path) -> None:
    for i in range(6):
        run(colleague(i, 10 * i), db)
    report = run(colleague(50, 70, auth=False, client="198.51.100.99"), db)
    hit = next(f for f in report["findings"] if f["id"] == "history.sender_changed")
    assert hit["evidence"]["count"] == 6 and "authenticated" in hit["detail"]["en"]
    assert "認証" in hit["detail"]["ja"]
    assert "since 2025-06-01" in hit["detail"]["en"] and "2025年6月1日以降 6 通" in hit["detail"]["ja"]  # ja dates


def test_known_correspondent_authenticated_from_elsewhere_is_fine(db: Path) -> None:
    for i in range(6):
        run(colleague(i, 10 * i), db)
    report = run(colleague(51, 71, client="198.51.100.99"), db)  # travelling, still signed
    assert "history.sender_changed" not in ids(report)


def test_long_known_authenticated_sender_is_positive_evidence(db: Path) -> None:
    for i in range(6):
        run(colleague(i, 10 * i), db)
    report = run(colleague(60, 80), db)
    hit = next(f for f in report["findings"] if f["id"] == "history.known_sender")
    assert hit["score"] < 0 and report["verdict"]["level"] == "safe"
    assert "jiro@partner.jp からは 2025年6月1日以降 6 通届いており" in hit["detail"]["ja"], hit["detail"]["ja"]


def test_a_few_recent_messages_are_not_a_long_known_sender(db: Path) -> None:
    for i in range(6):
        run(colleague(i, 0), db)  # six messages in one day
    assert "history.known_sender" not in ids(run(colleague(60, 1), db))


def test_the_impersonation_in_the_history_teaches_nothing(db: Path) -> None:
    fake = message(sender="Amazon.co.jp <info@amazon-co-jp-account.jp>", n=99, days=1,
                   html=LURE_HTML, text=LURE_TEXT)
    for i in range(5):
        run(fake.replace(b"<99.1@", f"<99{i}.1@".encode()), db)
    assert Store(db).by_brand("amazon").count == 0


def test_view_is_read_once(db: Path) -> None:
    store = Store(db)
    store.record(obs(1))
    view = View(store, "k", "a@example.org", "example.org")
    assert view.sender().count == 1
    store.record(obs(2))
    assert view.sender().count == 1  # the offline and final stages see the same history


def test_a_store_of_another_kind_is_replaced(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE messages (x)")
    con.commit()
    con.close()
    store = Store(db)
    store.record(obs(1))
    assert store.total() == 1 and store.rebuilt


# --- the command line --------------------------------------------------------------------------------


def test_cli_history_option_and_command(tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from whence import cli, history

    monkeypatch.setenv("WHENCE_HISTORY_PATH", str(db))
    mails = tmp_path / "mail"
    mails.mkdir()
    for i in range(20):
        (mails / f"{i:02}.eml").write_bytes(amazon(i, 10 * i))
    cli.main(["analyze", "--json", "--offline", "-j", "1", str(mails)])
    assert all("history" not in json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert not db.exists()  # without --history nothing is kept
    cli.main(["analyze", "--json", "--offline", "--history", "-j", "2", str(mails)])
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(reports) == 20 and all("history" in r for r in reports)
    history._STORES.clear()
    cli.main(["history", "stats"])
    assert json.loads(capsys.readouterr().out)["messages"] == 20
    cli.main(["history", "clear"])
    assert json.loads(capsys.readouterr().out)["messages"] == 0


# --- origin networks (after the live lookups) ---------------------------------------------------------


def live(raw: bytes, db: Path, asn: int, org: str) -> dict:
    from whence.model import Lookups

    return Analysis(raw, settings(db)).report(Lookups(done=True, origin={"asn": asn, "org": org}))


def unsigned(n: int, days: int, client: str = "203.0.113.10") -> bytes:
    """A small firm's mail: never authenticated, always from its own server."""
    return message(sender="Ichiro Suzuki <ichiro@smallfirm.co.jp>", n=n, days=days, subject="Invoice",
                   text="Please find the figures below.", client=client)


def test_networks_are_kept_and_listed(db: Path) -> None:
    for i in range(3):
        live(amazon(i, 30 * i), db, 16509, "AMAZON-02")
    report = live(amazon(3, 100), db, 16509, "AMAZON-02")
    assert report["history"]["sender"]["networks"] == [{"asn": 16509, "org": "AMAZON-02"}]
    fake = message(sender="Amazon.co.jp <info@amazon-co-jp-account.jp>", n=99, days=365, html=LURE_HTML,
                   text=LURE_TEXT)
    hit = next(f for f in live(fake, db, 14061, "DIGITALOCEAN-ASN")["findings"] if f["id"] == "history.brand_departure")
    assert "AS16509 AMAZON-02" in hit["detail"]["en"] and "AS14061" in hit["detail"]["en"]
    assert "AS16509 AMAZON-02" in hit["detail"]["ja"]
    assert hit["detail"]["ja"].endswith("このメールは amazon-co-jp-account.jp（AS14061 DIGITALOCEAN-ASN）"
                                        "から届いています。")
    assert "（AS16509 AMAZON-02 経由）から届いていました（2025年6月1日以降の認証済み 4 通）" in hit["detail"]["ja"], \
        hit["detail"]["ja"]


def test_known_unauthenticated_sender_from_a_new_network(db: Path) -> None:
    for i in range(4):
        live(unsigned(i, 10 * i), db, 64500, "SMALLFIRM-NET")
    same = live(unsigned(10, 50), db, 64500, "SMALLFIRM-NET")
    assert "history.sender_changed" not in ids(same)
    moved = live(unsigned(11, 51, client="198.51.100.9"), db, 14061, "DIGITALOCEAN-ASN")
    hit = next(f for f in moved["findings"] if f["id"] == "history.sender_changed")
    assert hit["severity"] == "medium" and "AS64500" in hit["detail"]["en"] and "AS14061" in hit["detail"]["ja"]


def test_no_relief_for_a_long_known_sender_on_a_new_network(db: Path) -> None:
    for i in range(6):
        live(colleague(i, 10 * i), db, 64501, "PARTNER-NET")
    assert "history.known_sender" in ids(live(colleague(60, 80), db, 64501, "PARTNER-NET"))
    elsewhere = live(colleague(61, 81, client="198.51.100.99"), db, 14061, "DIGITALOCEAN-ASN")
    assert not ids(elsewhere) & {"history.known_sender", "history.sender_changed"}  # signed: no alarm, no relief


def test_a_form_alone_is_no_request_to_act(db: Path) -> None:
    fill(db)
    news = message(sender="Shop News <news@new-shop.jp>", n=80, days=40, subject="This week",
                   text="New arrivals this week.",
                   html='<p>New arrivals.</p><form action="https://new-shop.jp/search"><input name="q"></form>'
                        '<a href="https://new-shop.jp/sections">Update section</a>')
    assert "history.first_contact" not in ids(run(news, db))


def test_brand_departure_spares_a_platform_writing_on_the_brands_behalf(db: Path) -> None:
    year_of_amazon(db, 4)
    shop = message(sender="Amazon.co.jp (via Shopify) <mailer@shopify.com>", n=70, days=200,
                   auth="spf=pass smtp.mailfrom=shopify.com; dkim=pass header.d=shopify.com; "
                        "dmarc=pass header.from=shopify.com",
                   html='<p>Your gift card.</p><a href="https://www.amazon.co.jp/gc">Redeem</a>')
    assert "history.brand_departure" not in ids(run(shop, db))


def test_a_sender_name_from_an_address_you_wrote_to_is_no_departure(db: Path) -> None:
    for i in range(4):
        run(colleague(i, 10 * i), db)
    private = message(sender="Jiro Sato <jiro.sato@gmail.com>", n=30, days=50, subject="From home",
                      auth="spf=pass smtp.mailfrom=gmail.com; dkim=pass header.d=gmail.com; "
                           "dmarc=pass header.from=gmail.com",
                      text="Sending from my own account today.")
    hit = next(f for f in run(private, db)["findings"] if f["id"] == "history.brand_departure")
    assert hit["severity"] == "medium" and hit["evidence"]["habit_domains"] == ["partner.jp"]  # CEO fraud looks so
    Store(db).add_contacts(["jiro.sato@gmail.com"])
    from whence import history
    history._STORES.clear()
    assert "history.brand_departure" not in ids(run(private, db))


def test_brand_departure_is_soft_for_an_established_domain_of_its_own(db: Path) -> None:
    year_of_amazon(db, 4)
    odd = message(sender="Amazon.co.jp on GitHub <noreply@github.com>", n=71, days=200,
                  auth="spf=pass smtp.mailfrom=github.com; dkim=pass header.d=github.com; "
                       "dmarc=pass header.from=github.com",
                  text="A repository you watch was updated.")
    hit = next(f for f in run(odd, db)["findings"] if f["id"] == "history.brand_departure")
    assert hit["severity"] == "low" and hit["score"] == 1.0


def test_first_contact_from_a_free_mail_stranger(db: Path) -> None:
    fill(db)
    for i in range(3):
        run(message(sender=f"Pal {i} <pal{i}@gmail.com>", n=200 + i, days=i,
                    auth="dmarc=pass header.from=gmail.com"), db)
    stranger = message(sender="Support <account.help.desk@gmail.com>", n=210, days=40, html=LURE_HTML,
                       text=LURE_TEXT)
    assert "history.first_contact" in ids(run(stranger, db))  # gmail.com is known; this address is not


def test_the_live_stage_records_even_when_lookups_failed(db: Path) -> None:
    from whence.model import Lookups

    a = Analysis(amazon(1, 0), Settings(history=True, history_path=str(db)))
    a.report(Lookups(), "offline")
    assert Store(db).total() == 0  # the offline stage of a live analysis leaves nothing
    a.report(Lookups(errors=["lookups failed: timeout"]))
    assert Store(db).total() == 1

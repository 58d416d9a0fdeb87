"""The Received parser (one header per MTA dialect) and the route: delays, trust boundary, origin."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from whence.facts.received import parse_received
from whence.facts.route import build_route
from whence.model import Context, Message
from whence.parse import parse_message
from whence.settings import Settings

CASES = Path(__file__).parent / "data" / "cases"
EXPECTED = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))


def message(*received: str, extra: tuple[tuple[str, str], ...] = ()) -> Message:
    """A message whose headers are EXTRA then the Received values, newest first, as a provider stores them."""
    lines = [f"{name}: {value}" for name, value in extra]
    lines += [f"Received: {value}" for value in received]
    lines += ["From: a@example.org", "Subject: t", "", "body", ""]
    return parse_message("\r\n".join(lines).encode())


def route_of(msg: Message, trust: tuple[str, ...] = (), context: Context | None = None):
    return build_route(msg, Settings(trust_hosts=trust), context or Context())


# ---------------------------------------------------------------------------------------------
# One header per dialect

FORMATS = [
    # (header, helo, rdns, from_ip, by_host, protocol)
    ("from fevcvxs.cn (tkoviax.cn [117.50.174.153]) by mail.example.net (Postfix) with ESMTPS id "
     "5799452000E for <rohhie@example.net>; Sun, 1 Jan 2023 22:22:02 +0900 (JST)",
     "fevcvxs.cn", "tkoviax.cn", "117.50.174.153", "mail.example.net", "ESMTPS"),
    ("from dm.jx.com (unknown [183.136.225.14]) by mx.example-mail.jp (Postfix) with ESMTPS id 4Wy; "
     "Tue, 15 Oct 2024 17:22:35 +0900",
     "dm.jx.com", None, "183.136.225.14", "mx.example-mail.jp", "ESMTPS"),
    ("from mail-pf1-f196.google.com ([209.85.210.196]) by sfi-mx-4.v28.lw.sourceforge.com with esmtps "
     "(TLS1.2:ECDHE_RSA_AES_128_GCM_SHA256:128) (Exim 4.92.3) id 1jTX2k-006Z8X-Eu; Tue, 28 Apr 2020 "
     "21:13:47 +0000",
     "mail-pf1-f196.google.com", "mail-pf1-f196.google.com", "209.85.210.196",
     "sfi-mx-4.v28.lw.sourceforge.com", "ESMTPS"),
    ("from [172.245.180.23] (helo=service.qczql.cn) by sfi-mx-2.v28.lw.sourceforge.com with esmtp "
     "(Exim 4.95) id 1ulZ8U-0002Iv-0a for osst-users@lists.sourceforge.net; Mon, 11 Aug 2025 20:28:51 +0000",
     "service.qczql.cn", None, "172.245.180.23", "sfi-mx-2.v28.lw.sourceforge.com", "ESMTP"),
    ("from dsl092.bos1.dsl.speakeasy.net ([66.92.72.213] helo=blazing.arsecandle.org) by "
     "sc8-sf-list1.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18lyuU-0007TI-00",
     "blazing.arsecandle.org", "dsl092.bos1.dsl.speakeasy.net", "66.92.72.213",
     "sc8-sf-list1.sourceforge.net", "ESMTP"),
    ("from mail1.insuranceiq.com (host66.insuranceiq.com [65.217.159.66] (may be forged)) by "
     "dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856 for <jm@jmason.org>; "
     "Sat, 15 Mar 2003 00:38:03 GMT",
     "mail1.insuranceiq.com", "host66.insuranceiq.com", "65.217.159.66", "dogma.slashnull.org", "ESMTP"),
    ("from unknown (HELO feux01a-isp) (213.199.4.210) by totor.example.net with SMTP; 1 Nov 2003 "
     "07:05:19 -0000",
     "feux01a-isp", None, "213.199.4.210", "totor.example.net", "SMTP"),
    ("from lists.gentoo.org (HELO parrot.gentoo.org) (156.56.111.196) by blazing.arsecandle.org with SMTP; "
     "6 Feb 2005 21:11:37 -0000",
     "parrot.gentoo.org", "lists.gentoo.org", "156.56.111.196", "blazing.arsecandle.org", "SMTP"),
    ("from NAM10-DM6-obe.outbound.protection.outlook.com (52.100.156.233) by "
     "DM6NAM10FT006.mail.protection.outlook.com (10.13.153.14) with Microsoft SMTP Server (version=TLS1_2, "
     "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6631.48 via Frontend Transport; "
     "Sat, 5 Aug 2023 01:49:40 +0000",
     "NAM10-DM6-obe.outbound.protection.outlook.com", None, "52.100.156.233",
     "DM6NAM10FT006.mail.protection.outlook.com", "ESMTPS"),
    ("from BY5PR20CA0023.namprd20.prod.outlook.com (2603:10b6:a03:1f4::36) by "
     "SA1PR19MB6598.namprd19.prod.outlook.com (2603:10b6:806:252::13) with Microsoft SMTP Server "
     "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6652.20; Sat, 5 Aug 2023 "
     "01:50:24 +0000",
     "BY5PR20CA0023.namprd20.prod.outlook.com", None, "2603:10b6:a03:1f4::36",
     "SA1PR19MB6598.namprd19.prod.outlook.com", "ESMTPS"),
    ("from MW4PR04MB7412.namprd04.prod.outlook.com ([fe80::56f3:5435:9a39:ebe2]) by "
     "MW4PR04MB7412.namprd04.prod.outlook.com ([fe80::56f3:5435:9a39:ebe2%6]) with mapi id 15.20.6631.046; "
     "Sat, 5 Aug 2023 01:49:39 +0000",
     "MW4PR04MB7412.namprd04.prod.outlook.com", None, "fe80::56f3:5435:9a39:ebe2",
     "MW4PR04MB7412.namprd04.prod.outlook.com", "MAPI"),
    ("from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id "
     "a1sor123.2024.11.08.01.03.56 for <taro@gmail.com> (Google Transport Security); "
     "Fri, 08 Nov 2024 01:03:57 -0800 (PST)",
     "mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41", "mx.google.com", "SMTPS"),
    ("by 2002:a05:6a20:9f8d:b0:1e0:f3e2:1c5 with SMTP id fd13csp123456pzb; Fri, 8 Nov 2024 01:03:57 "
     "-0800 (PST)",
     None, None, None, "2002:a05:6a20:9f8d:b0:1e0:f3e2:1c5", "SMTP"),
    ("from [93.48.39.139] by web28416.mail.ukl.yahoo.com via HTTP; Wed, 09 Mar 2011 11:19:45 GMT",
     None, None, "93.48.39.139", "web28416.mail.ukl.yahoo.com", "HTTP"),
    ("from a27-55.smtp-out.ap-northeast-1.amazonses.com (a27-55.smtp-out.ap-northeast-1.amazonses.com "
     "[23.251.234.55]) by mx.example-mail.jp (Postfix) with ESMTPS id 4WyK2n0hQ9z1xq; Tue, 3 Sep 2024 "
     "17:15:24 +0900",
     "a27-55.smtp-out.ap-northeast-1.amazonses.com", "a27-55.smtp-out.ap-northeast-1.amazonses.com",
     "23.251.234.55", "mx.example-mail.jp", "ESMTPS"),
    ("from MjA3NDc4Mg (unknown) by ismtpd0001p1lon1.sendgrid.net (SG) with HTTP id aqHKNX2kSp for "
     "<email@e.example.com>; Thu, 02 Apr 2020 07:53:55.516 +0000 (UTC)",
     "MjA3NDc4Mg", None, None, "ismtpd0001p1lon1.sendgrid.net", "HTTP"),
    ("from 67.85.219.192 (NaSMail authenticated user john.doe) by webmail.example.com with HTTP; "
     "Fri, 30 Mar 2012 12:39:58 +0100 (BST)",
     None, None, "67.85.219.192", "webmail.example.com", "HTTP"),
    ("from mx.example-mail.jp (localhost [127.0.0.1]) by mbox01.example-mail.jp (Postfix) with LMTP id "
     "7F3A2C0451 for <taro@example.jp>; Tue, 3 Sep 2024 17:15:24 +0900 (JST)",
     "mx.example-mail.jp", "localhost", "127.0.0.1", "mbox01.example-mail.jp", "LMTP"),
    ("from andrew by trinity.supernews.net with local (Exim 4.12) id 18xeL6-000Dn1-00; "
     "Tue, 25 Mar 2003 02:39:00 +0000",
     "andrew", None, None, "trinity.supernews.net", "LOCAL"),
    ("(qmail 10681 invoked by uid 404); 14 Nov 2003 08:05:52 -0000",
     None, None, None, None, None),
    ("from gal.iecc.com (gal.iecc.com [IPv6:2001:470:1f07:1126:0:43:6f73:7461]) by ietfa.amsl.com (Postfix) "
     "with ESMTPS id C95E9C151087; Sun, 27 Aug 2023 03:00:06 -0700 (PDT)",
     "gal.iecc.com", "gal.iecc.com", "2001:470:1f07:1126:0:43:6f73:7461", "ietfa.amsl.com", "ESMTPS"),
    ("from server040.webpack.hosteurope.de ([80.237.130.48]:52313) by vps.serverpool.info with esmtps "
     "(TLS-1.0:DHE_RSA_3DES_EDE_CBC_SHA:24) (Exim 4.50) id 1GzVLs-0002Oz-7b",
     "server040.webpack.hosteurope.de", "server040.webpack.hosteurope.de", "80.237.130.48",
     "vps.serverpool.info", "ESMTPS"),
    ("from bushinternet.com (softdnserr [::ffff:61.99.99.67]) by mail.cs.helsinki.fi with esmtp; "
     "Fri, 22 Aug 2003 12:25:41 +0300",
     "bushinternet.com", None, "61.99.99.67", "mail.cs.helsinki.fi", "ESMTP"),
    # cPanel's Exim: the client greeted with an address of its own ("helo=[192.168.88.181]"), which
    # is not the address it connected from
    ("from [102.69.139.111] (port=52874 helo=[192.168.88.181]) by host4.ns.example with esmtpa (Exim 4.96) "
     "(envelope-from <shore@school.example>) id 1qRBGp-0006S0-33; Mon, 31 Jul 2023 10:12:13 +0700",
     "[192.168.88.181]", None, "102.69.139.111", "host4.ns.example", "ESMTPA"),
]


@pytest.mark.parametrize(("header", "helo", "rdns", "ip", "by", "protocol"), FORMATS,
                         ids=[f[0][:36] for f in FORMATS])
def test_dialects(header: str, helo: str | None, rdns: str | None, ip: str | None, by: str | None,
                  protocol: str | None) -> None:
    hop = parse_received(header)
    assert (hop.helo, hop.rdns, hop.from_ip, hop.by_host, hop.protocol) == (helo, rdns, ip, by, protocol)


def test_id_for_and_date() -> None:
    hop = parse_received(FORMATS[0][0])
    assert hop.id == "5799452000E"
    assert hop.for_addr == "rohhie@example.net"
    assert hop.time is not None and hop.time.isoformat() == "2023-01-01T22:22:02+09:00"


@pytest.mark.parametrize(("header", "user"), [
    ("from [91.92.240.17] (unknown [91.92.240.17]) (Authenticated sender: taro@example.jp) by "
     "smtp.example-mail.jp (Postfix) with ESMTPSA id 4WF1xk2fQz; Thu, 26 Sep 2024 11:13:45 "
     "+0900", "taro@example.jp"),
    ("from rousalka.dyndns.org (81.64.155.54) by mx.laposte.net (7.0.028) (authenticated as Nicolas.Mailhot) "
     "id 413489B100C9C1FD; Tue, 28 Sep 2004 21:43:43 +0200", "Nicolas.Mailhot"),
    ("from a1200 ([24.83.2.4]) (AUTH: LOGIN mitch@example.com) by bigass1.example.com with esmtp; "
     "Tue, 06 Jan 2004 23:56:09 +0000", "mitch@example.com"),
    ("from [212.73.124.190] (account skudinva@sibptus.tomsk.ru HELO wxpskudinva) by relay2.tomsk.ru "
     "(CommuniGate Pro SMTP 5.1.13) with ESMTPSA id 9830625; Mon, 07 Apr 2008 08:42:48 +0700",
     "skudinva@sibptus.tomsk.ru"),
    ("from itrqtnlnq (lucilleskinner@93.124.107.183 with login) by smtp111.mail.ne1.yahoo.com with SMTP; "
     "17 Jan 2011 08:23:27 -0800", "lucilleskinner"),
])
def test_authenticated_user(header: str, user: str) -> None:
    hop = parse_received(header)
    assert hop.auth_user == user
    assert hop.authenticated


def test_authenticated_by_protocol_only() -> None:
    hop = parse_received("from PC01 (1.2.3.4) by EX01.corp.example with Microsoft SMTP Server "
                         "(TLS) id 14.3.319.2; Mon, 1 Jan 2024 10:00:00 +0000")
    assert not hop.authenticated
    hop = parse_received("from [10.0.0.5] ([198.51.100.7]) by smtp.gmail.com with ESMTPSA id x1sm; "
                         "Mon, 1 Jan 2024 10:00:00 -0800")
    assert hop.from_ip == "198.51.100.7" and hop.auth_user is None and hop.authenticated


@pytest.mark.parametrize("value", [
    "", ";", "from", "(" * 5000, "[" * 5000 + "]", "from " + "(x " * 3000 + "by y",
    "from a (b [999.1.1.1]) by c; Mon, 99 Foo 2024 99:99:99 +9999", "\x00\x01from \u3042 by \u3044;",
    "from x (" + "[1.2.3.4] " * 2000 + ") by y", ("from a by b; " * 2000),
])
def test_hostile_headers_parse_quickly(value: str) -> None:
    started = time.perf_counter()
    hop = parse_received(value)
    assert time.perf_counter() - started < 0.5
    assert hop.from_ip in (None, "1.2.3.4")


# ---------------------------------------------------------------------------------------------
# Delays


def test_signed_delays_keep_clock_skew() -> None:
    msg = message(
        "from relay.example.org (relay.example.org [192.0.2.10]) by mx.example.net (Postfix) with ESMTP "
        "id A; "
        "Mon, 1 Jan 2024 10:00:05 +0000",
        "from sender.example.org (sender.example.org [198.51.100.1]) by relay.example.org with ESMTP id B; "
        "Mon, 1 Jan 2024 10:00:30 +0000",
        "from pc (pc [10.0.0.2]) by sender.example.org with ESMTP id C",
        "from pc2 (pc2 [10.0.0.3]) by pc with ESMTP id D; Mon, 1 Jan 2024 19:00:00 +0900",
    )
    hops = route_of(msg).hops
    assert [h.delay_s for h in hops] == [-25.0, 30.0, None, None]
    assert hops[2].time is None


# ---------------------------------------------------------------------------------------------
# Boundary and origin on the acceptance cases


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_cases_origin_and_client(case: dict) -> None:
    msg = parse_message((CASES / case["file"]).read_bytes())
    route = route_of(msg)
    assert route.origin.ip == case["origin_ip"]
    assert route.origin.client_ip == case.get("client_ip")
    assert route.origin.reason and route.origin.reason["en"] and route.origin.reason["ja"]
    origin_hop = route.hops[route.origin.hop_index]
    assert origin_hop.header_pos == route.boundary_pos
    assert msg.headers[route.boundary_pos][0].lower() == "received"
    assert all(h.trusted for h in route.hops[: route.origin.hop_index + 1])
    assert not any(h.trusted for h in route.hops[route.origin.hop_index + 1 :])


def test_authenticated_submission_through_the_provider() -> None:
    route = route_of(parse_message((CASES / "smtp-test.eml").read_bytes()))
    assert route.origin.authenticated
    assert route.origin.ip == "91.92.240.17"
    assert "mx.example-mail.jp" in route.authserv_ids


def test_list_authserv_id_is_not_the_providers() -> None:
    route = route_of(parse_message((CASES / "mailing-list-arc.eml").read_bytes()))
    assert route.authserv_ids == {"mx.example-mail.jp"}
    assert not route.origin.authenticated


# ---------------------------------------------------------------------------------------------
# Boundary rules on synthetic chains

EOP_CHAIN = (
    "from SA1PR19MB6598.namprd19.prod.outlook.com (::1) by MN0PR19MB6312.namprd19.prod.outlook.com with "
    "HTTPS; "
    "Sat, 5 Aug 2023 01:50:25 +0000",
    "from BY5PR20CA0023.namprd20.prod.outlook.com (2603:10b6:a03:1f4::36) by "
    "SA1PR19MB6598.namprd19.prod.outlook.com "
    "(2603:10b6:806:252::13) with Microsoft SMTP Server (version=TLS1_2) id 15.20.6652.20; Sat, 5 Aug "
    "2023 01:50:24 +0000",
    "from DM6NAM10FT006.eop-nam10.prod.protection.outlook.com (2603:10b6:a03:1f4:cafe::ec) by "
    "BY5PR20CA0023.outlook.office365.com (2603:10b6:a03:1f4::36) with Microsoft SMTP Server (version=TLS1_2) "
    "id 15.20.6652.21 via Frontend Transport; Sat, 5 Aug 2023 01:50:24 +0000",
)


def test_microsoft_eop_from_another_tenant() -> None:
    msg = message(*EOP_CHAIN,
                  "from NAM10-DM6-obe.outbound.protection.outlook.com (40.107.71.113) by "
                  "DM6NAM10FT006.mail.protection.outlook.com (10.13.153.14) with Microsoft SMTP Server "
                  "(version=TLS1_2) id 15.20.6631.48 via Frontend Transport; Sat, 5 Aug 2023 01:49:40 +0000",
                  "from MW4PR04MB7412.namprd04.prod.outlook.com (2603:10b6:303:78::8) by "
                  "BL3PR04MB7947.namprd04.prod.outlook.com (2603:10b6:208:342::10) with Microsoft SMTP "
                  "Server "
                  "(version=TLS1_2) id 15.20.6652.21; Sat, 5 Aug 2023 01:49:39 +0000")
    route = route_of(msg)
    assert route.origin.ip == "40.107.71.113"
    assert route.origin.hop_index == 3
    assert route.origin.helo == "NAM10-DM6-obe.outbound.protection.outlook.com"


def test_microsoft_eop_from_outside() -> None:
    msg = message(*EOP_CHAIN,
                  "from mail.shop-example.com (203.0.113.50) by DM6NAM10FT006.mail.protection.outlook.com "
                  "(10.13.153.14) with Microsoft SMTP Server id 15.20.6631.48 via Frontend Transport; "
                  "Sat, 5 Aug 2023 01:49:40 +0000",
                  "from forged.example (forged.example [192.0.2.99]) by mail.shop-example.com with ESMTP "
                  "id F")
    assert route_of(msg).origin.ip == "203.0.113.50"


def test_helo_claiming_the_provider_is_not_trusted() -> None:
    msg = message(
        "from mx.example-mail.jp (localhost [127.0.0.1]) by mbox01.example-mail.jp (Postfix) with LMTP id A; "
        "Tue, 3 Sep 2024 17:15:24 +0900",
        "from smtp.example-mail.jp (unknown [198.51.100.66]) by mx.example-mail.jp (Postfix) with ESMTP "
        "id B; "
        "Tue, 3 Sep 2024 17:15:23 +0900",
        "from victim (victim [192.0.2.1]) by smtp.example-mail.jp (Postfix) with ESMTPSA id C; "
        "Tue, 3 Sep 2024 17:15:20 +0900",
    )
    route = route_of(msg)
    assert route.origin.ip == "198.51.100.66"
    assert not route.origin.authenticated
    assert [h.trusted for h in route.hops] == [True, True, False]


LIST_CHAIN = (
    "from lists.sourceforge.net (lists.sourceforge.net [216.105.38.7]) by mail.lfdr.de (Postfix) with ESMTPS "
    "id 8387EB2166B; Mon, 11 Aug 2025 22:28:54 +0200 (CEST)",
    "from [127.0.0.1] (helo=sfs-ml-2.v29.lw.sourceforge.com) by sfs-ml-2.v29.lw.sourceforge.com with esmtp "
    "(Exim 4.95) id 1ulZ8W-0001a6-4f",
    "from [172.30.29.66] (helo=mx.sourceforge.net) by sfs-ml-2.v29.lw.sourceforge.com with esmtps (Exim "
    "4.95) "
    "id 1ulZ8U-0001Zz-Ee",
    "from [172.245.180.23] (helo=service.qczql.cn) by sfi-mx-2.v28.lw.sourceforge.com with esmtp (Exim 4.95) "
    "id 1ulZ8U-0002Iv-0a; Mon, 11 Aug 2025 20:28:51 +0000",
    "from mail.nbptt.zj.cn (43.165.133.225) by service.qczql.cn id hj99840001gv; Mon, 11 Aug 2025 "
    "16:28:44 -0400",
)


def test_list_server_is_the_origin_without_configuration() -> None:
    assert route_of(message(*LIST_CHAIN)).origin.ip == "216.105.38.7"


def test_trusted_hosts_extend_the_boundary() -> None:
    route = route_of(message(*LIST_CHAIN), trust=("sourceforge.net", "sourceforge.com", "lfdr.de"))
    assert route.origin.ip == "172.245.180.23"
    assert route.origin.helo == "service.qczql.cn"
    assert [h.trusted for h in route.hops] == [True, True, True, True, False]


def test_trusted_network_extends_the_boundary() -> None:
    chain = ("from relay.forwarder.example (relay.forwarder.example [192.0.2.7]) by mx.example-mail.jp "
             "(Postfix) with ESMTPS id A; Tue, 3 Sep 2024 17:15:24 +0900",
             "from sender.example.org (sender.example.org [198.51.100.9]) by relay.forwarder.example "
             "(Postfix) with ESMTPS id B; Tue, 3 Sep 2024 17:15:20 +0900")
    assert route_of(message(*chain)).origin.ip == "192.0.2.7"
    assert route_of(message(*chain), trust=("192.0.2.0/24",)).origin.ip == "198.51.100.9"


def test_account_host_joins_the_organisation() -> None:
    chain = ("from mx1.isp-example.net (mx1.isp-example.net [203.0.113.20]) by mbox.mailstore-example.com "
             "(Postfix) with ESMTP id A; Tue, 3 Sep 2024 17:15:24 +0900",
             "from sender.example.org (sender.example.org [198.51.100.9]) by mx1.isp-example.net "
             "(Postfix) with ESMTPS id B; Tue, 3 Sep 2024 17:15:20 +0900")
    assert route_of(message(*chain)).origin.ip == "203.0.113.20"
    context = Context(account_email="taro@isp-example.net", account_host="imap.isp-example.net")
    assert route_of(message(*chain), context=context).origin.ip == "198.51.100.9"


def test_local_pickups_are_skipped() -> None:
    chain = ("from mx.example-mail.jp (localhost [127.0.0.1]) by mbox01.example-mail.jp with LMTP id A; "
             "Tue, 3 Sep 2024 17:15:24 +0900",
             "by mbox01.example-mail.jp (Postfix, from userid 1000) id Q; Tue, 3 Sep 2024 17:15:23 +0900",
             "from web.example.org (web.example.org [198.51.100.25]) by mx.example-mail.jp (Postfix) "
             "with ESMTPS id B; Tue, 3 Sep 2024 17:15:20 +0900")
    assert route_of(message(*chain)).origin.ip == "198.51.100.25"


def test_webmail_client_address() -> None:
    chain = ("from m21.mail.example.com (m21.mail.example.com [203.0.113.21]) by mx.example-mail.jp "
             "(Postfix) "
             "with ESMTPS id B; Tue, 3 Sep 2024 17:15:20 +0900",)
    msg = message(*chain, extra=(("X-Originating-IP", "[10.1.2.3]"), ("X-Forwarded-For", "192.168.0.4, "
                                  "188.214.106.93")))
    route = route_of(msg)
    assert route.origin.ip == "203.0.113.21"
    assert route.origin.client_ip == "188.214.106.93"
    same = message(*chain, extra=(("X-Sender-IP", "203.0.113.21"),))
    assert route_of(same).origin.client_ip is None
    for header in ("X-Source-IP", "X-EN-OrigIP", "X-MDRemoteIP"):  # hosting mail servers' own names for it
        assert route_of(message(*chain, extra=((header, "188.214.106.93"),))).origin.client_ip == "188.214.106.93"


def test_webmail_client_address_from_the_received_line_of_its_http_post() -> None:
    # Roundcube and SquirrelMail record the browser in a Received line of their own, not a header
    outside = ("from sv1234.host.example (sv1234.host.example [203.0.113.77]) by mx.example-mail.jp (Postfix) "
               "with ESMTPS id B; Mon, 14 Apr 2025 10:11:40 +0900")
    webmail = "from 45.86.201.19 ([45.86.201.19]) by sv1234.host.example with HTTP (HTTP/1.1 POST); " \
              "Mon, 14 Apr 2025 01:11:38 +0000"
    route = route_of(message(outside, webmail))
    assert route.origin.ip == "203.0.113.77" and route.origin.client_ip == "45.86.201.19"
    relayed = webmail.replace("with HTTP (HTTP/1.1 POST)", "with ESMTP")  # a relay hop is no browser
    assert route_of(message(outside, relayed)).origin.client_ip is None
    private = webmail.replace("45.86.201.19", "10.0.0.8")
    assert route_of(message(outside, private)).origin.client_ip is None


def test_no_received_headers() -> None:
    route = route_of(message())
    assert route.hops == [] and route.origin.ip is None and route.boundary_pos == -1
    assert route.origin.reason and route.origin.reason["ja"]


def test_header_count_is_capped() -> None:
    chain = [f"from h{i}.example.org (h{i}.example.org [10.0.{i // 250}.{i % 250}]) by h{i}.example.org "
              "with ESMTP"
             for i in range(300)]
    route = route_of(message(*chain))
    assert len(route.hops) == 100


def test_mail_written_inside_the_provider() -> None:
    chain = ("from localhost (localhost [127.0.0.1]) by mbox.example-mail.jp (Postfix) with ESMTP id A; "
             "Tue, 3 Sep 2024 17:15:24 +0900",
             "from cron.example-mail.jp (cron.example-mail.jp [10.0.0.8]) by localhost (Postfix) "
             "with ESMTP id B; "
             "Tue, 3 Sep 2024 17:15:20 +0900")
    route = route_of(message(*chain))
    assert route.origin.ip == "10.0.0.8" and route.origin.hop_index == 1
    assert not route.origin.authenticated
    assert "inside" in route.origin.reason["en"]
    assert all(h.trusted for h in route.hops)

"""A small fingerprint set written for untold (Apache-2.0 like the rest of untold).

Facts about well-documented block pages, in OONI's CSV format so that the
same loader reads them. Users who want OONI's full database download it and
run ``untold ooni fingerprints update FILE...``; installed files are read
after this set (see ``fingerprints_store``).
"""

from __future__ import annotations

from functools import cache

from untold.probe.fingerprints import Fingerprints, parse_csv, split

__all__ = ["BUILTIN_CSV", "builtin"]

BUILTIN_CSV = """\
name,scope,other_names,location_found,pattern_type,pattern,confidence_no_fp,expected_countries,source,exp_url,notes
untold.ir_dns_10_10_34_34,nat,,dns,full,10.10.34.34,10,IR,untold,,Iran's national filter answers with its block-page host
untold.ir_dns_10_10_34_35,nat,,dns,full,10.10.34.35,10,IR,untold,,Iran's national filter answers with its block-page host
untold.ir_dns_10_10_34_36,nat,,dns,full,10.10.34.36,10,IR,untold,,Iran's national filter answers with its block-page host
untold.tr_dns_btk,nat,,dns,full,195.175.254.2,8,TR,untold,,Turkish ISPs' answer for names blocked by court order
untold.id_lamanlabuh,nat,,header.location,prefix,http://lamanlabuh.aduankonten.id,10,ID,untold,,Indonesian block page (Kominfo) reached by redirect
untold.id_lamanlabuh_body,nat,,body,contains,lamanlabuh.aduankonten.id,8,ID,untold,,Indonesian block page (Kominfo) linked from the body
untold.id_internetpositif,nat,,header.location,contains,internetpositif,8,ID,untold,,Indonesian Internet Positif redirect
untold.id_trustpositif,nat,,body,contains,trustpositif.kominfo.go.id,8,ID,untold,,Indonesian TrustPositif block page
untold.ir_body_10_10_34_34,nat,,body,contains,10.10.34.34,8,IR,untold,,Iranian block page iframe
untold.ir_body_10_10_34_36,nat,,body,contains,10.10.34.36,8,IR,untold,,Iranian block page iframe
untold.ru_rkn_law,nat,,body,contains,Доступ к информационному ресурсу ограничен на основании Федерального закона,8,RU,untold,,Russian ISPs' block-page wording (Roskomnadzor register)
untold.ru_rkn_registry,nat,,body,contains,eais.rkn.gov.ru,7,RU,untold,,Russian block pages link the Roskomnadzor registry
untold.ru_rt_warning,isp,,header.location,contains,warning.rt.ru,8,RU,untold,,Rostelecom block page reached by redirect
untold.prod_checkpoint_usercheck,prod,,header.location,contains,/UserCheck/PortalMain?IID=,9,,untold,,Check Point URL filtering forwards to its UserCheck portal
untold.fp_cloudflare_challenge,fp,,body,contains,<title>Just a moment...</title>,,,untold,,Cloudflare's bot challenge: the server refuses the probe; not network blocking
untold.fp_cloudflare_mitigated,fp,,header.cf-mitigated,full,challenge,,,untold,,Cloudflare's bot challenge header
untold.fp_cloudflare_attention,fp,,body,contains,<title>Attention Required! | Cloudflare</title>,,,untold,,Cloudflare's WAF block of the client
untold.fp_akamai_denied,fp,,body,contains,<TITLE>Access Denied</TITLE>,,,untold,,Akamai's edge refusing the client (geo or bot rule)
"""


@cache
def builtin() -> Fingerprints:
    return split(parse_csv(BUILTIN_CSV, source="untold builtin fingerprints"))

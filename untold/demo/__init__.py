"""The bundled example: a synthetic news ecosystem with planted patterns.

* ``scenario``: outlets, dates, the story, the event and what is planted;
* ``texts_*``/``vocab``/``texts``: article texts in ru, kk, ky, en;
* ``generator.generate(seed, patterns=..., scale=...)``: the ecosystem;
* ``truth.ground_truth(eco)``: what was planted, as a JSON-able dict;
* ``pages``/``server.DemoServer``: the outlets served on 127.0.0.1 with a clock;
* ``censor``/``listeners``: the network around them (TLS by the example's own CA,
  an SNI-filtering path, a resolver, a block page) that untold's probe measures;
* ``measure``: untold's probe on that network against a real control helper;
* ``ooni``: the example's synthetic OONI measurements from another network and
  the fingerprint of its block page;
* ``study.study_toml(port)``/``study.build_example(dest)``: study + ground truth;
* ``bulk.fill_archive(...)``: millions of articles straight into an archive.

Nothing is imported here: each module loads what it needs when used.
"""

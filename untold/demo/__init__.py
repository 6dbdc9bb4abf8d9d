"""The bundled example: a synthetic news ecosystem with planted patterns.

* ``scenario``: outlets, dates, the story, the event and what is planted;
* ``texts_*``/``vocab``/``texts``: article texts in ru, kk, ky, en;
* ``generator.generate(seed, patterns=..., scale=...)``: the ecosystem;
* ``truth.ground_truth(eco)``: what was planted, as a JSON-able dict;
* ``pages``/``server.DemoServer``: the outlets served on 127.0.0.1 with a clock;
* ``study.study_toml(port)``/``study.build_example(dest)``: study + ground truth;
* ``run.collect_example(dest)``: serve and collect it, pass by pass;
* ``bulk.fill_archive(...)``: millions of articles straight into an archive.

Nothing is imported here: each module loads what it needs when used.
"""

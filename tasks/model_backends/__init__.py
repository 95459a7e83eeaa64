"""Model backends: HTTP model servers that prelabel new tasks and serve the Assist tool
(docs/assist.md, "Model backends").

- `breaker`: whether a backend may be called now, and what a call's outcome does to that;
- `transport`: the HTTP exchange, through tasks/fetching.py (SSRF-safe, ANNOTATOR_FETCH_ALLOW);
- `media`: the image a backend is sent (inline, and a signed, time-limited URL);
- `annotator_protocol`, `label_studio`: the two protocols' clients;
- `ls_config`, `ls_regions`, `brush`: Label Studio's labelling config and regions;
- `checking`: a backend's annotations through the kind's hypothesis rules;
- `prelabel`: the prelabel of a new task (the listener, the worker's job);
- `assist_provider`: the project's backend behind the workbench's Assist tool;
- `wiring`: where all of it plugs into the layers below, once, at start-up.
"""

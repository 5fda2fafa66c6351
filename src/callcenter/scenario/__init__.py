"""What the callers and agents of a scenario do, shared by the offline simulator
(`callcenter.sim`) and the `sim` telephony adapter of the live server.

- `spec`: the scenario as values (queues, agent groups, arrival streams, IVR model);
  `load`: a scenario file (TOML; `errors`, `parse`, `tables`, `trace`, `ivr_load`
  read its parts) into a `spec.Scenario`;
- `models`: arrivals, patience and handle-time distributions, drawn from a seeded
  generator;
- `bots`: how bot agents answer offers; `ivr_callers`: how callers answer IVR
  prompts and menus; `callees`: whom a dialer reaches and how they answer.

Nothing here runs a clock, an event loop or a database: time is passed in and every
draw comes from a generator the caller seeds.
"""

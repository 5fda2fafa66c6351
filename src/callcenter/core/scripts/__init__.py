"""Agent scripts and questionnaires (telesales and research). Quotas (the top-level
`quotas:` key of a script) are read by `callcenter.core.scripts.quotas`. No I/O, no clock.
"""

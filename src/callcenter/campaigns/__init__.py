"""Services for outbound campaigns over the store, outside the pure core: lead-list
import, callee zones, public holidays, the compliance report (and their commands)."""

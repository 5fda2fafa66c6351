"""Customer records and services over the store: the customer directory (`customers`),
its CSV import (`customer_import`) and the lookup the IVR asks (`directory`)."""

// Administration › Catalog: products (stock) and events (seats) that agents sell on
// calls (`/api/catalog`). Prices are whole cents and tax rates basis points, as stored;
// an item is withdrawn (inactive), never deleted, so past orders keep naming it.
import { crud } from "./admin-crud.js";
import { el } from "./common.js";

const money = (cents) => (cents / 100).toFixed(2);

/** An event's date and time as a local datetime input (Unix seconds in the body). */
function whenInput(value) {
  const local = value ? new Date(value * 1000 - new Date(value * 1000).getTimezoneOffset() * 60000)
    .toISOString().slice(0, 16) : "";
  return el("input", { type: "datetime-local", name: "event_at", value: local,
                       "aria-label": "Event date and time (events only)" });
}

export async function render(body) {
  await crud(body, {
    title: "Catalog",
    path: "/api/catalog",
    listPath: "/api/catalog?inactive=true&limit=500",
    key: "sku",
    noun: "catalog item",
    auditEntity: "catalog_item",
    intro: "What agents sell on calls: products with their stock, and events with their free " +
      "seats. Placing an order takes its quantities from what is available, at once and " +
      "never below zero; cancelling a placed order gives them back. Orders keep the name, " +
      "price and tax rate they were sold at.",
    columns: [
      { field: "sku", label: "SKU" }, { field: "name", label: "Name" },
      { field: "kind", label: "Kind" },
      { label: "Price", num: true, value: (r) => money(r.price_cents) },
      { label: "Tax", num: true, value: (r) => `${r.tax_bp / 100} %` },
      { field: "available", label: "Available", num: true },
      { label: "When", value: (r) => (r.event_at ? new Date(r.event_at * 1000).toLocaleString() : "") },
      { field: "active", label: "On sale" },
    ],
    canDelete: () => false,
    defaults: { kind: "product", tax_bp: 1900, active: true, available: 0 },
    toBody: (values, { row }) => ({ ...values, sku: row ? row.sku : values.sku }),
    fields: [
      { name: "sku", label: "SKU (letters, digits, . _ -)", required: true },
      { name: "name", label: "Name", required: true },
      { name: "kind", label: "Kind", type: "select", options: [["product", "product (stock)"], ["event", "event (seats)"]] },
      { name: "price_cents", label: "Price in cents (1999 = 19.99)", type: "number", min: 0, required: true },
      { name: "tax_bp", label: "Tax rate in basis points (1900 = 19 %)", type: "number", min: 0, max: 10000, required: true },
      { name: "available", label: "Available: units in stock, or free seats", type: "number", min: 0, required: true },
      { name: "event_at", label: "Event date and time (events only)", type: "custom",
        render: (value) => whenInput(value),
        read: (input) => (input.value ? new Date(input.value).getTime() / 1000 : null) },
      { name: "venue", label: "Venue (events)" },
      { name: "active", label: "On sale (agents may order it)", type: "checkbox" },
    ],
  });
}

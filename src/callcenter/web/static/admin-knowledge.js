// Administration › Knowledge: the articles agents search during a call
// (`/api/admin/kb-articles`). Shown as text on the desktop, never as HTML.
import { crud } from "./admin-crud.js";

export async function render(body) {
  await crud(body, {
    title: "Knowledge base",
    path: "/api/admin/kb-articles",
    key: "id",
    noun: "article",
    auditEntity: "kb_article",
    intro: "Agents search these articles from the desktop (full text, English stemming). " +
      "Write plain text; line breaks are kept, markup is shown as written.",
    columns: [{ field: "title", label: "Title" },
              { label: "Tags", value: (r) => r.tags.join(", ") },
              { label: "Updated by", value: (r) => r.updated_by }],
    fields: [
      { name: "title", label: "Title", required: true },
      { name: "tags", label: "Tags", type: "list", hint: "one per line, or separated by commas" },
      { name: "body", label: "Text", type: "textarea", required: true },
    ],
    toBody: (values) => ({ title: values.title, body: values.body,
                           tags: (values.tags || []).join(" ") }),
  });
}

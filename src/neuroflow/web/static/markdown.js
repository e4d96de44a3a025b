// A small Markdown renderer for model cards: headings, paragraphs, lists, tables, code, bold.
// Everything is escaped first, so a card can never put HTML or scripts on the page.
"use strict";
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function inlineMarkdown(text) {
  return escapeHtml(text.replace(/!\[[^\]]*\]\([^)]*\)/g, ""))  // pictures: the figures are shown beside the card
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1");
}
function renderMarkdown(md) {
  let lines = md.replace(/\r/g, "").split("\n");
  if (lines[0] === "---") {
    const end = lines.indexOf("---", 1);
    if (end > 0) lines = lines.slice(end + 1);
  }
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) code.push(lines[i]);
      out.push("<pre><code>" + escapeHtml(code.join("\n")) + "</code></pre>");
      i++;
    } else if (/^#{1,6} /.test(line)) {
      const level = Math.min(line.indexOf(" ") + 2, 6);
      out.push(`<h${level}>${inlineMarkdown(line.replace(/^#+ /, ""))}</h${level}>`);
      i++;
    } else if (line.startsWith("|")) {
      const rows = [];
      for (; i < lines.length && lines[i].startsWith("|"); i++) {
        if (!/^\|[\s:|-]+\|$/.test(lines[i])) rows.push(lines[i].slice(1, -1).split("|"));
      }
      out.push("<table>" + rows.map((r, n) => "<tr>" + r.map((c) =>
        n === 0 ? `<th>${inlineMarkdown(c.trim())}</th>` : `<td>${inlineMarkdown(c.trim())}</td>`).join("") + "</tr>").join("") + "</table>");
    } else if (/^\s*[-*] /.test(line)) {
      const items = [];
      for (; i < lines.length && /^\s*[-*] /.test(lines[i]); i++) items.push(`<li>${inlineMarkdown(lines[i].replace(/^\s*[-*] /, ""))}</li>`);
      out.push("<ul>" + items.join("") + "</ul>");
    } else if (line.trim() === "") {
      i++;
    } else {
      const para = [line];
      for (i++; i < lines.length && lines[i].trim() !== "" && !/^(#|\||```|\s*[-*] )/.test(lines[i]); i++) para.push(lines[i]);
      out.push("<p>" + inlineMarkdown(para.join(" ")) + "</p>");
    }
  }
  return out.join("\n");
}

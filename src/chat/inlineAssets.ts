// The bundle's script and stylesheets as text for the chat HTML's own <script> and <style>
// elements, escaped so the HTML parser ends each element exactly where the HTML does, whatever
// strings, regular expressions and comments the bundle holds.

/**
 * A script for an inline <script>. `<!--` and `<script` put the HTML parser into states in which
 * `</script>` no longer ends the element, and `</script` ends it early; each is written with `<` as
 * `\x3C`, which means the same in a JavaScript string, regular expression, template or comment
 * (the HTML standard's own advice for script contents).
 */
export function scriptForHtml(script: string): string {
  return script.replace(/<(?=!--|script|\/script)/gi, '\\x3C');
}

/** A stylesheet for an inline <style>: only `</style` can end it, and CSS reads `\/` as `/`. */
export function styleForHtml(css: string): string {
  return css.replace(/<\/style/gi, '<\\/style');
}

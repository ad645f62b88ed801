/**
 * A small XML well-formedness check for the SVG we write: one root element, tags balanced and properly nested,
 * attributes quoted and unique, no stray `<` or `&` in text. Returns the element names seen, or throws.
 */
export function checkXml(text: string): { root: string; elements: string[] } {
  let body = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  body = body.replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  const elements: string[] = [];
  let root: string | undefined;
  let pos = 0;
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  while (pos < body.length) {
    const lt = body.indexOf('<', pos);
    const textPart = body.slice(pos, lt < 0 ? body.length : lt);
    if (/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/.test(textPart)) throw new Error(`bad & in text near ${pos}`);
    if (stack.length === 0 && textPart.trim() !== '') throw new Error(`text outside the root near ${pos}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, close, name, attrs, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      const names = [...attrs!.matchAll(/([A-Za-z_][\w:.-]*)\s*=/g)].map((a) => a[1]!);
      if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}>`);
      if (stack.length === 0) {
        if (root !== undefined) throw new Error('two root elements');
        root = name!;
      }
      elements.push(name!);
      if (!selfClose) stack.push(name!);
    }
    pos = tag.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (root === undefined) throw new Error('no root element');
  return { root, elements };
}

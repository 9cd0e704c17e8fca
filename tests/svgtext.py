#!/usr/bin/python3
# tests/svgtext.py FILE...: every <text> of each figure (an SVG file, or the <svg> of an
# XHTML page) must lie inside its viewBox, and no two may touch, on boxes estimated from
# the characters shown (0.6 em each, a little narrower than the layout's own estimate),
# the font size, the anchor, the rotation and the translated groups.  Two texts both
# slanted (neither level nor upright) are not compared: their boxes, square to the
# page, overlap where the glyphs do not.  Prints each fault; exits 1 on any.
#   --below TEXT: also, the text TEXT must start under every upright or slanted text of
#   its group (a panel's axis title under its column labels).
import math
import re
import sys
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'
SIZE = {'title': 14, 'axis': 11, 'atitle': 12, 'leg': 11, 'note': 10, 'cell': 10, 'small': 8}


def boxes(path):
	root = ET.parse(path).getroot()
	svg = root if root.tag == NS + 'svg' else root.find('.//' + NS + 'svg')
	vb = [float(v) for v in svg.get('viewBox').split()]
	out = []

	def walk(el, dx, dy, group):
		for c in el:
			if c.tag == NS + 'g':
				m = re.match(r'translate\(([-\d.]+),([-\d.]+)\)', c.get('transform', ''))
				if m:
					walk(c, dx + float(m.group(1)), dy + float(m.group(2)), id(c))
				else:
					walk(c, dx, dy, group)
				continue
			if c.tag != NS + 'text':
				continue
			s = (c.text or '') + ''.join(k.tail or '' for k in c)
			size = float(c.get('font-size') or SIZE.get(c.get('class'), 12))
			w = len(s) * 0.6 * size
			x, y = float(c.get('x')), float(c.get('y'))
			a = c.get('text-anchor', 'start')
			x0 = x - (w if a == 'end' else w / 2 if a == 'middle' else 0)
			m = re.search(r'rotate\(([-\d.]+)', c.get('transform', ''))
			ang = float(m.group(1)) if m else 0
			t = math.radians(ang)
			pts = []
			for px, py in ((x0, y - 0.75 * size), (x0 + w, y - 0.75 * size),
			               (x0, y + 0.2 * size), (x0 + w, y + 0.2 * size)):
				pts.append((dx + x + (px - x) * math.cos(t) - (py - y) * math.sin(t),
				            dy + y + (px - x) * math.sin(t) + (py - y) * math.cos(t)))
			xs = [p[0] for p in pts]
			ys = [p[1] for p in pts]
			out.append((min(xs), min(ys), max(xs), max(ys), ang, s, group))

	walk(svg, 0, 0, None)
	return vb, out


def touch(a, b):
	return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def main(argv):
	below = None
	if len(argv) > 1 and argv[0] == '--below':
		below, argv = argv[1], argv[2:]
	bad = 0
	for path in argv:
		vb, bx = boxes(path)
		for b in bx:
			if (b[0] < vb[0] - 1 or b[1] < vb[1] - 1 or b[2] > vb[0] + vb[2] + 1 or
			    b[3] > vb[1] + vb[3] + 1):
				print('%s: "%s" outside the picture %r: %r' % (path, b[5], vb, b[:4]))
				bad += 1
		for i in range(len(bx)):
			for j in range(i + 1, len(bx)):
				a, b = bx[i], bx[j]
				if a[4] % 90 and b[4] % 90:
					continue
				if touch(a, b):
					print('%s: "%s" touches "%s"' % (path, a[5], b[5]))
					bad += 1
		if below is not None:
			found = [b for b in bx if b[5] == below]
			if not found:
				print('%s: no "%s"' % (path, below))
				bad += 1
			for t in found:
				for b in bx:
					if b[6] == t[6] and b[4] != 0 and b[3] > t[1]:
						print('%s: "%s" starts at %.1f, above the end of "%s" at %.1f'
						      % (path, below, t[1], b[5], b[3]))
						bad += 1
	return 1 if bad else 0


sys.exit(main(sys.argv[1:]))

// The world map (/views/map): world-atlas' Natural Earth countries (TopoJSON, ids = ISO 3166-1 numeric)
// turned into GeoJSON by topojson-client, drawn as SVG with an equirectangular projection. Countries with
// a value get the colour the server chose (the legend's), a tooltip and a link to their page.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('map-data').textContent);
  const byCode = new Map(data.countries.filter(c => c.code).map(c => [c.code, c]));
  const box = document.getElementById('map');
  const ns = 'http://www.w3.org/2000/svg';
  const WIDTH = 1000, HEIGHT = 500;  // 360° × 180° at 2.78 px per degree
  const VIEWS = {world: [0, 25, WIDTH, HEIGHT - 95], eurasia: [430, 40, 470, 200]};
  const x = lon => (lon + 180) / 360 * WIDTH;
  const y = lat => (90 - lat) / 180 * HEIGHT;

  function ringPath(ring) {
    let d = '', prev = null;
    for (const [lon, lat] of ring) {
      // a jump across the antimeridian starts a new sub-path instead of a line across the map
      const move = prev === null || Math.abs(lon - prev) > 180;
      d += (move ? 'M' : 'L') + x(lon).toFixed(1) + ',' + y(lat).toFixed(1);
      prev = lon;
    }
    return d + 'Z';
  }
  function pathOf(geometry) {
    if (!geometry) return '';
    const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    return polys.map(poly => poly.map(ringPath).join('')).join('');
  }

  fetch('/assets/views/countries-110m.json').then(r => r.json()).then(world => {
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', VIEWS.eurasia.join(' '));
    svg.setAttribute('aria-hidden', 'true');
    const features = topojson.feature(world, world.objects.countries).features;
    for (const f of features) {
      const country = byCode.get(String(f.id).padStart(3, '0'));
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', pathOf(f.geometry));
      path.setAttribute('fill', country ? country.colour : '#d9d9d9');
      path.dataset.code = String(f.id);
      const title = document.createElementNS(ns, 'title');
      if (country) {
        path.classList.add('data');
        title.textContent = country.label + ': ' + (country.category || country.value) + (country.detail ? ' — ' + country.detail : '');
        path.addEventListener('click', () => {
          const iri = country.iri;
          const id = 'https://w3id.org/crmgraph/id/';
          if (iri.startsWith(id)) window.location.href = '/id/' + iri.slice(id.length);
        });
      } else {
        title.textContent = (f.properties && f.properties.name) || '';
      }
      path.appendChild(title);
      svg.appendChild(path);
    }
    box.appendChild(svg);
    for (const button of document.querySelectorAll('.map-tools button')) {
      button.addEventListener('click', () => svg.setAttribute('viewBox', VIEWS[button.dataset.view].join(' ')));
    }
    box.dataset.ready = String(features.length);
  });
})();

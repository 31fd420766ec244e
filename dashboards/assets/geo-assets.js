/* The maps draw their own GeoJSON (counties, states) and hide Plotly's base layers, but plotly.js still
   asks for its USA topojson from cdn.plot.ly. An empty topology keeps the site offline. */
window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
window.PlotlyGeoAssets.topojson.usa_110m = window.PlotlyGeoAssets.topojson.usa_50m = {"type":"Topology","arcs":[],"objects":{"coastlines":{"type":"GeometryCollection","geometries":[]},"land":{"type":"GeometryCollection","geometries":[]},"ocean":{"type":"GeometryCollection","geometries":[]},"lakes":{"type":"GeometryCollection","geometries":[]},"rivers":{"type":"GeometryCollection","geometries":[]},"countries":{"type":"GeometryCollection","geometries":[]},"subunits":{"type":"GeometryCollection","geometries":[]}}};

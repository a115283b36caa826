// explorer.js starts GraphiQL on the LMS explorer page. It lives in its own
// file rather than in an inline <script> so that the page's
// Content-Security-Policy can refuse every inline script.
(function () {
  'use strict';

  // GraphiQL's dialogs lock page scrolling by adding a <style> element, which
  // they tag with this global nonce. The server puts a fresh nonce on this
  // <script> tag and allows it in style-src, so no 'unsafe-inline' is needed.
  window.__webpack_nonce__ = document.currentScript.nonce;

  var root = document.getElementById('graphiql');
  var endpoint = root.dataset.endpoint;
  var title = root.dataset.title;

  var defaultQuery = [
    '# Welcome to the ' + title + '.',
    '#',
    '# Queries go to ' + endpoint + '. To act as a user,',
    '# add your API token in the Headers tab below:',
    '#',
    '#   { "Authorization": "Bearer <token>" }',
    '#',
    '# This browser keeps the headers between visits.',
    '',
    '{',
    '  __typename',
    '}',
    '',
  ].join('\n');

  ReactDOM.createRoot(root).render(
    React.createElement(
      GraphiQL,
      {
        fetcher: GraphiQL.createFetcher({ url: endpoint }),
        defaultQuery: defaultQuery,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: 'headers',
      },
      React.createElement(GraphiQL.Logo, null, title),
    ),
  );
})();

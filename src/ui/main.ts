/**
 * Placeholder entry of the lab page. The interactive lab (worker, charts, cell graphs) is
 * issue 4; until then the page says how to run a search from the command line.
 */
const root = document.getElementById('root');
if (root) {
  const heading = document.createElement('h1');
  heading.textContent = 'NAS Lab';
  const text = document.createElement('p');
  text.textContent =
    'The in-browser lab is under construction. Run a DARTS search headless with: npx nas-lab search';
  root.append(heading, text);
}

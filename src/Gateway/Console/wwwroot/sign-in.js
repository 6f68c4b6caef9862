// The sign-in page (served by ConsoleSession, not a file here) keeps the console address a person
// came from: a redirect keeps the fragment (/console/sign-in#/regions/3704), which the server never
// sees, so this copies it into the form and the server sends the person on to it after signing in.
const then = document.getElementById('then');
if (then && location.hash.startsWith('#/')) then.value = location.hash;

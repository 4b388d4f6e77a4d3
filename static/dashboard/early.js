/* Run in <head>, before the page is drawn: the stylesheet then lays the page out for charts
   (html.js) instead of for its tables only, with no flash. A file, not an inline script:
   Content-Security-Policy script-src 'self' (liaison.csp). */
document.documentElement.className = "js";

/* A button marked data-print prints the page; in a file, not an onclick attribute, for
   Content-Security-Policy (liaison.csp). */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});

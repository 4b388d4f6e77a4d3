"""PDF rendering with WeasyPrint, offline: the fetcher refuses every URL but inline `data:`
ones, so a report never reaches the network (nor the file system) while it is drawn. The
type is Debian's fonts-noto-cjk, found by fontconfig."""

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class OfflineFetcher(URLFetcher):
    """Answers `data:` URLs and refuses anything else (http, https, file, ftp), remembering
    what it refused."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"refused while rendering offline: {url}")
        return super().fetch(url, headers)


def render_pdf(html: str, fetcher: OfflineFetcher | None = None) -> bytes:
    return HTML(string=html, base_url=None, url_fetcher=fetcher or OfflineFetcher()).write_pdf()

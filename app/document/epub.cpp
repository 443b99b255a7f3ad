// EPUB e-books: the XHTML documents the package's manifest lists go through the HTML translator;
// everything else in the package (the OPF, styles, images, the stored "mimetype" first) is kept.
#include <pugixml.hpp>

#include <stdexcept>

#include "app/document/document.h"
#include "app/document/zip_archive.h"

namespace mt::doc {

namespace {

pugi::xml_document parse(const std::string& xml, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) throw std::runtime_error("not an EPUB: '" + name + "' is not valid XML");
  return doc;
}

// A manifest href (relative to the OPF, percent-encoded) as a path in the package.
std::string package_path(const std::string& folder, const std::string& href) {
  std::string decoded;
  for (size_t i = 0; i < href.size(); ++i) {
    if (href[i] == '%' && i + 2 < href.size() && std::isxdigit(static_cast<unsigned char>(href[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(href[i + 2]))) {
      decoded += char(std::stoi(href.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += href[i];
    }
  }
  return folder + decoded.substr(0, decoded.find('#'));
}

}  // namespace

std::string translate_epub(const std::string& package, const TranslateFn& translate, const AlignFn& align) {
  ZipArchive zip(package);
  if (!zip.has("META-INF/container.xml")) throw std::runtime_error("not an EPUB: the package has no META-INF/container.xml");
  const auto container = parse(zip.read("META-INF/container.xml"), "META-INF/container.xml");
  const std::string opf = container.select_node("//*[local-name()='rootfile']/@full-path").attribute().value();
  if (opf.empty() || !zip.has(opf)) throw std::runtime_error("not an EPUB: its container names no package document");
  const std::string folder = opf.find('/') == std::string::npos ? "" : opf.substr(0, opf.rfind('/') + 1);

  const auto manifest = parse(zip.read(opf), opf);
  for (const auto& found : manifest.select_nodes("//*[local-name()='item']")) {
    const auto item = found.node();
    if (std::string(item.attribute("media-type").value()) != "application/xhtml+xml") continue;
    const std::string path = package_path(folder, item.attribute("href").value());
    if (!zip.has(path)) throw std::runtime_error("the EPUB's manifest names '" + path + "', which the package lacks");
    zip.replace(path, translate_html(zip.read(path), translate, align));
  }
  return zip.bytes();
}

}  // namespace mt::doc

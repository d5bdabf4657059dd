import Foundation
import HTTPTypes
import Hummingbird
import SwiftbaseCore

/// `GET`/`HEAD /**` from the public folder (see `PublicFiles`), after every API route: the router prefers
/// the more specific routes, so this only answers paths nothing else does.
struct PublicFileRoutes {
    let files: PublicFiles

    func add(to router: Router<SwiftbaseRequestContext>) {
        // `**` needs at least one segment; the root is its own route.
        for path: RouterPath in ["/", "**"] {
            router.get(path) { request, _ in try await serve(request) }
            router.head(path) { request, _ in try await serve(request) }
        }
    }

    private func serve(_ request: Request) async throws -> Response {
        let files = files
        let path = request.uri.path
        let resolution = await BlockingWork.run { files.resolve(path) }
        switch resolution {
        case .notFound:
            throw SwiftbaseError.notFound("File not found.")  // PocketBase's words for its public folder
        case .redirect(let location):
            return Response(status: .movedPermanently, headers: [.location: location])
        case .file(let url):
            let found = await BlockingWork.run { () -> (Int, Date, [UInt8])? in
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                    let head = try? FileContent.prefix(of: url, count: FileDownload.sniffLength)
                else { return nil }
                return ((attributes[.size] as? NSNumber)?.intValue ?? 0, attributes[.modificationDate] as? Date ?? Date(), head)
            }
            guard let (size, modified, head) = found else { throw SwiftbaseError.notFound("File not found.") }
            let name = url.lastPathComponent
            let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
            let type = PublicFiles.typesByExtension[ext] ?? ContentSniffer.mediaType(of: head)
            var download = FileDownload(
                content: .file(url, size: size), name: name, contentType: type, modified: modified, attachment: false)
            download.publicAsset = true
            return download.response(to: request)
        }
    }
}

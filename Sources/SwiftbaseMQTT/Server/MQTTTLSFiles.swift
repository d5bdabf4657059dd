import NIOSSL

/// The PEM files the MQTT listener serves TLS with (`--mqtt-tls-cert`, `--mqtt-tls-key`): a certificate chain, leaf
/// first, and its private key. Read when the listener starts, so a bad file stops the server at once.
public struct MQTTTLSFiles: Sendable, Hashable {
    public var certificateChainPath: String
    public var privateKeyPath: String

    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    func context() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath)
        let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }
}

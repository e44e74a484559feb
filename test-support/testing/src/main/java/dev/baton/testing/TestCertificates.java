/*
 * Copyright 2026 the Baton authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.baton.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away certificate authority and a server certificate it signed, for brokers under test
 * with TLS: valid for {@code 127.0.0.1} and {@code localhost}, for one day. Written to a directory
 * as PEM (for {@code nats-server}) and PKCS#12 key and trust stores (for Kafka and Java clients),
 * all protected by one password. A second, unrelated authority ({@link #create} again) makes a
 * client that trusts the wrong CA.
 *
 * @param directory where the files are
 * @param password the key and trust stores' password
 * @param caPem the authority's certificate (PEM)
 * @param serverCertPem the server's certificate chain (PEM)
 * @param serverKeyPem the server's private key (PKCS#8 PEM)
 * @param keyStore the server's key and chain (PKCS#12)
 * @param trustStore the authority's certificate (PKCS#12)
 */
public record TestCertificates(
    Path directory,
    String password,
    Path caPem,
    Path serverCertPem,
    Path serverKeyPem,
    Path keyStore,
    Path trustStore) {

  /**
   * Checks the arguments.
   *
   * @param directory where the files are
   * @param password the key and trust stores' password
   * @param caPem the authority's certificate (PEM)
   * @param serverCertPem the server's certificate chain (PEM)
   * @param serverKeyPem the server's private key (PKCS#8 PEM)
   * @param keyStore the server's key and chain (PKCS#12)
   * @param trustStore the authority's certificate (PKCS#12)
   */
  public TestCertificates {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Generates an authority and a server certificate into {@code directory}.
   *
   * @param directory where the key stores are written
   * @param password the stores' password
   * @return the certificates
   * @throws IOException when a file cannot be written
   * @throws GeneralSecurityException when a key or certificate cannot be made
   */
  public static TestCertificates create(Path directory, String password)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(directory);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair serverKeys = generator.generateKeyPair();
    X500Name caName =
        new X500Name("CN=Baton Test CA " + Long.toHexString(new SecureRandom().nextLong()));
    X509Certificate ca =
        sign(
            caName,
            caName,
            caKeys.getPublic(),
            caKeys.getPrivate(),
            builder -> {
              builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              builder.addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            });
    X509Certificate server =
        sign(
            caName,
            new X500Name("CN=localhost"),
            serverKeys.getPublic(),
            caKeys.getPrivate(),
            builder -> {
              builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
              builder.addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")
                      }));
            });
    TestCertificates files =
        new TestCertificates(
            directory,
            password,
            directory.resolve("ca.pem"),
            directory.resolve("server.pem"),
            directory.resolve("server-key.pem"),
            directory.resolve("server.p12"),
            directory.resolve("truststore.p12"));
    writePem(files.caPem(), ca);
    writePem(files.serverCertPem(), server, ca);
    writePem(files.serverKeyPem(), serverKeys.getPrivate());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server", serverKeys.getPrivate(), password.toCharArray(), new Certificate[] {server, ca});
    store(keys, files.keyStore(), password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    store(trust, files.trustStore(), password);
    return files;
  }

  /**
   * {@return a client context that trusts this authority (and nothing else)}
   *
   * @throws IOException when the trust store cannot be read
   * @throws GeneralSecurityException when the context cannot be made
   */
  public SSLContext clientContext() throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(trustStore)) {
      trust.load(in, password.toCharArray());
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), new SecureRandom());
    return context;
  }

  /** The password never appears: {@code TestCertificates[directory]}. */
  @Override
  public String toString() {
    return "TestCertificates[" + directory + "]";
  }

  @FunctionalInterface
  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException;
  }

  private static X509Certificate sign(
      X500Name issuer, X500Name subject, PublicKey key, PrivateKey signer, Extensions extensions)
      throws IOException, GeneralSecurityException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            key);
    extensions.add(builder);
    try {
      ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void writePem(Path file, Object... objects) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        if (object instanceof PrivateKey key) {
          pem.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        } else {
          pem.writeObject(object);
        }
      }
    }
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
  }

  private static void store(KeyStore store, Path file, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
  }
}

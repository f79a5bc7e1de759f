<?xml version="1.0" encoding="UTF-8"?>
<!--
  The xsltproc baseline: a TT-kort submission (bench/mapping/documents.ts xsltInput: the form, the documents' metadata,
  the trackingId and the times) to the same KS Fiks Arkiv V1 arkivmelding the hub writes with Halden's demo settings
  (config/halden.json, config/form-types/tt-kort-soknad.json): the same fields, in the same order, with the same
  rules (titles as one trimmed line, optional fields left out when empty, Oslo local dates with the right summer or
  winter offset, ASCII file references). The bench checks that both give the same XML for every document.
  Left out, because no benchmark document needs them: NFKD folding of accented letters in file references and the
  "-2" suffix for two documents with the same file name.
  With the parameter shortcuts=1 the times are taken as written and the file names as given: not the hub's output
  any more, but it shows what those two rules cost an XSLT.
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
  xmlns:n5mdk="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:date="http://exslt.org/dates-and-times"
  xmlns:str="http://exslt.org/strings"
  extension-element-prefixes="date str"
  exclude-result-prefixes="date str">

  <xsl:param name="shortcuts" select="0"/>
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="system">Skjemaflyt</xsl:variable>
  <xsl:variable name="navn" select="normalize-space(concat(/innsending/melding/soker/fornavn, ' ', /innsending/melding/soker/etternavn))"/>
  <xsl:variable name="fnr" select="normalize-space(/innsending/melding/soker/fodselsnummer)"/>
  <xsl:variable name="mappeNoekkel" select="concat('tt-kort/', $fnr)"/>

  <xsl:template match="/innsending">
    <xsl:if test="$fnr = '' or $navn = ''">
      <xsl:message terminate="yes">soker.fodselsnummer, soker.fornavn and soker.etternavn are required</xsl:message>
    </xsl:if>
    <xsl:variable name="hoved" select="dokumenter/dokument[@role = 'main'][1]"/>
    <arkivmelding>
      <system><xsl:value-of select="$system"/></system>
      <antallFiler><xsl:value-of select="count(dokumenter/dokument)"/></antallFiler>
      <mappe xsi:type="saksmappe">
        <tittel><xsl:value-of select="normalize-space(concat('TT-kort – ', $navn))"/></tittel>
        <offentligTittel>TT-kort</offentligTittel>
        <xsl:call-template name="skjerming"/>
        <klassifikasjon>
          <klassifikasjonssystemID>FNR</klassifikasjonssystemID>
          <klasseID><xsl:value-of select="$fnr"/></klasseID>
          <tittel><xsl:value-of select="$navn"/></tittel>
          <erSkjermet>true</erSkjermet>
        </klassifikasjon>
        <referanseEksternNoekkel>
          <n5mdk:fagsystem>skjemaflyt</n5mdk:fagsystem>
          <n5mdk:noekkel><xsl:value-of select="$mappeNoekkel"/></n5mdk:noekkel>
        </referanseEksternNoekkel>
        <administrativEnhet><n5mdk:navn>Tjenestekontoret</n5mdk:navn></administrativEnhet>
        <saksansvarlig><n5mdk:navn>Tjenestekontoret v/saksbehandler</n5mdk:navn></saksansvarlig>
        <saksstatus><n5mdk:kode>B</n5mdk:kode></saksstatus>
      </mappe>
      <registrering xsi:type="journalpost">
        <opprettetAv><xsl:value-of select="$system"/></opprettetAv>
        <arkivertAv><xsl:value-of select="$system"/></arkivertAv>
        <referanseForelderMappe>
          <n5mdk:referanseEksternNoekkel>
            <n5mdk:fagsystem>skjemaflyt</n5mdk:fagsystem>
            <n5mdk:noekkel><xsl:value-of select="$mappeNoekkel"/></n5mdk:noekkel>
          </n5mdk:referanseEksternNoekkel>
        </referanseForelderMappe>
        <xsl:call-template name="skjerming"/>
        <!-- The main document first, then the attachments in the order sent. -->
        <xsl:for-each select="$hoved | dokumenter/dokument[count(. | $hoved) != count($hoved)]">
          <xsl:sort select="number(count(. | $hoved) != count($hoved))" data-type="number"/>
          <xsl:call-template name="dokumentbeskrivelse">
            <xsl:with-param name="hoved" select="count(. | $hoved) = count($hoved)"/>
            <xsl:with-param name="nummer" select="position()"/>
          </xsl:call-template>
        </xsl:for-each>
        <tittel><xsl:value-of select="normalize-space(concat('Søknad om TT-kort – ', $navn))"/></tittel>
        <offentligTittel>Søknad om TT-kort</offentligTittel>
        <xsl:apply-templates select="melding/soker"/>
        <korrespondansepart>
          <korrespondanseparttype><n5mdk:kode>EM</n5mdk:kode></korrespondanseparttype>
          <korrespondansepartNavn>Halden kommune, Tjenestekontoret</korrespondansepartNavn>
          <administrativEnhet><n5mdk:navn>Tjenestekontoret</n5mdk:navn></administrativEnhet>
          <erSkjermet>false</erSkjermet>
        </korrespondansepart>
        <referanseEksternNoekkel>
          <n5mdk:fagsystem>skjemaflyt/tt-kort-soknad</n5mdk:fagsystem>
          <n5mdk:noekkel><xsl:value-of select="@trackingId"/></n5mdk:noekkel>
        </referanseEksternNoekkel>
        <journalposttype><n5mdk:kode>I</n5mdk:kode></journalposttype>
        <journalstatus><n5mdk:kode>J</n5mdk:kode></journalstatus>
        <dokumentetsDato>
          <xsl:variable name="submitted"><xsl:call-template name="oslo"><xsl:with-param name="t" select="@submittedAt"/></xsl:call-template></xsl:variable>
          <xsl:value-of select="substring($submitted, 1, 10)"/>
        </dokumentetsDato>
        <mottattDato><xsl:call-template name="oslo"><xsl:with-param name="t" select="@receivedAt"/></xsl:call-template></mottattDato>
      </registrering>
    </arkivmelding>
  </xsl:template>

  <!-- The sender (EA), screened: the form's optional fields only where they have a value. -->
  <xsl:template match="soker">
    <korrespondansepart>
      <korrespondanseparttype><n5mdk:kode>EA</n5mdk:kode></korrespondanseparttype>
      <korrespondansepartNavn><xsl:value-of select="$navn"/></korrespondansepartNavn>
      <personid><xsl:value-of select="$fnr"/></personid>
      <xsl:call-template name="optional"><xsl:with-param name="name">postadresse</xsl:with-param><xsl:with-param name="value" select="adresse/gateadresse"/></xsl:call-template>
      <xsl:call-template name="optional"><xsl:with-param name="name">postnummer</xsl:with-param><xsl:with-param name="value" select="adresse/postnummer"/></xsl:call-template>
      <xsl:call-template name="optional"><xsl:with-param name="name">poststed</xsl:with-param><xsl:with-param name="value" select="adresse/poststed"/></xsl:call-template>
      <xsl:call-template name="optional"><xsl:with-param name="name">epostadresse</xsl:with-param><xsl:with-param name="value" select="epost"/></xsl:call-template>
      <xsl:call-template name="optional"><xsl:with-param name="name">telefonnummer</xsl:with-param><xsl:with-param name="value" select="telefon"/></xsl:call-template>
      <erSkjermet>true</erSkjermet>
    </korrespondansepart>
  </xsl:template>

  <xsl:template name="optional">
    <xsl:param name="name"/>
    <xsl:param name="value"/>
    <xsl:variable name="text" select="normalize-space($value)"/>
    <xsl:if test="$text != ''">
      <xsl:element name="{$name}"><xsl:value-of select="$text"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <xsl:template name="skjerming">
    <skjerming>
      <tilgangsrestriksjon><n5mdk:kode>13</n5mdk:kode></tilgangsrestriksjon>
      <skjermingshjemmel>Offl. § 13 jf. fvl. § 13 første ledd nr. 1</skjermingshjemmel>
    </skjerming>
  </xsl:template>

  <xsl:template name="dokumentbeskrivelse">
    <xsl:param name="hoved"/>
    <xsl:param name="nummer"/>
    <xsl:variable name="tittel" select="normalize-space(@title)"/>
    <dokumentbeskrivelse>
      <dokumenttype><n5mdk:kode><xsl:choose><xsl:when test="$hoved">SØKNAD</xsl:when><xsl:otherwise>VEDLEGG</xsl:otherwise></xsl:choose></n5mdk:kode></dokumenttype>
      <dokumentstatus><n5mdk:kode>F</n5mdk:kode></dokumentstatus>
      <tittel>
        <xsl:choose>
          <xsl:when test="$tittel != ''"><xsl:value-of select="$tittel"/></xsl:when>
          <xsl:when test="normalize-space(@filename) != ''"><xsl:value-of select="normalize-space(@filename)"/></xsl:when>
          <xsl:otherwise>Dokument</xsl:otherwise>
        </xsl:choose>
      </tittel>
      <tilknyttetRegistreringSom><n5mdk:kode><xsl:choose><xsl:when test="$hoved">H</xsl:when><xsl:otherwise>V</xsl:otherwise></xsl:choose></n5mdk:kode></tilknyttetRegistreringSom>
      <dokumentnummer><xsl:value-of select="$nummer"/></dokumentnummer>
      <xsl:call-template name="skjerming"/>
      <dokumentobjekt>
        <versjonsnummer>1</versjonsnummer>
        <variantformat><n5mdk:kode>P</n5mdk:kode></variantformat>
        <format><n5mdk:kode><xsl:call-template name="format"/></n5mdk:kode></format>
        <mimeType><xsl:value-of select="@contentType"/></mimeType>
        <filnavn><xsl:value-of select="normalize-space(@filename)"/></filnavn>
        <referanseDokumentfil><xsl:call-template name="referanse"><xsl:with-param name="filename" select="@filename"/></xsl:call-template></referanseDokumentfil>
        <sjekksum><xsl:value-of select="@sha256"/></sjekksum>
        <sjekksumAlgoritme>SHA-256</sjekksumAlgoritme>
        <xsl:if test="@size &lt;= 2147483647"><filstoerrelse><xsl:value-of select="@size"/></filstoerrelse></xsl:if>
      </dokumentobjekt>
    </dokumentbeskrivelse>
  </xsl:template>

  <!-- The Fiks Arkiv format code: by content type, else the file's extension in capitals. -->
  <xsl:template name="format">
    <xsl:choose>
      <xsl:when test="@contentType = 'application/pdf'">PDF</xsl:when>
      <xsl:when test="@contentType = 'application/xml' or @contentType = 'text/xml'">XML</xsl:when>
      <xsl:when test="@contentType = 'application/json'">JSON</xsl:when>
      <xsl:when test="@contentType = 'image/jpeg'">JPEG</xsl:when>
      <xsl:when test="@contentType = 'image/png'">PNG</xsl:when>
      <xsl:when test="@contentType = 'image/tiff'">TIFF</xsl:when>
      <xsl:when test="@contentType = 'text/plain'">TXT</xsl:when>
      <xsl:otherwise>
        <xsl:variable name="ext"><xsl:call-template name="after-last-dot"><xsl:with-param name="s" select="@filename"/></xsl:call-template></xsl:variable>
        <xsl:choose>
          <xsl:when test="$ext != '' and string-length($ext) &lt;= 8 and translate($ext, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '') = ''">
            <xsl:value-of select="translate($ext, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/>
          </xsl:when>
          <xsl:otherwise>BIN</xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The file's name as it travels (referanseDokumentfil): plain ASCII, stem at most 80 and extension 8 characters. -->
  <xsl:template name="referanse">
    <xsl:param name="filename"/>
    <xsl:choose>
      <xsl:when test="$shortcuts = 1"><xsl:value-of select="$filename"/></xsl:when>
      <xsl:otherwise><xsl:call-template name="referanse-exact"><xsl:with-param name="filename" select="$filename"/></xsl:call-template></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="referanse-exact">
    <xsl:param name="filename"/>
    <xsl:variable name="ext"><xsl:call-template name="after-last-dot"><xsl:with-param name="s" select="$filename"/></xsl:call-template></xsl:variable>
    <xsl:variable name="hasExt" select="contains($filename, '.') and not(starts-with($filename, '.') and string-length($ext) = string-length($filename) - 1)"/>
    <xsl:variable name="stemRaw">
      <xsl:choose>
        <xsl:when test="$hasExt"><xsl:value-of select="substring($filename, 1, string-length($filename) - string-length($ext) - 1)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$filename"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="stemSafe"><xsl:call-template name="safe"><xsl:with-param name="s" select="$stemRaw"/></xsl:call-template></xsl:variable>
    <xsl:variable name="stem">
      <xsl:choose>
        <xsl:when test="$stemSafe != ''"><xsl:value-of select="substring($stemSafe, 1, 80)"/></xsl:when>
        <xsl:otherwise>dokument</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$hasExt">
        <xsl:variable name="extSafe"><xsl:call-template name="safe"><xsl:with-param name="s" select="$ext"/></xsl:call-template></xsl:variable>
        <xsl:value-of select="$stem"/>
        <xsl:if test="$extSafe != ''"><xsl:value-of select="concat('.', substring($extSafe, 1, 8))"/></xsl:if>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$stem"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="after-last-dot">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '.')"><xsl:call-template name="after-last-dot"><xsl:with-param name="s" select="substring-after($s, '.')"/></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- æ → ae, ø → o, å → aa, every run of other characters → "-", no "-" or "." at either end. -->
  <xsl:template name="safe">
    <xsl:param name="s"/>
    <xsl:variable name="allowed">ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-</xsl:variable>
    <xsl:variable name="latin" select="translate(str:replace(str:replace(str:replace(str:replace($s, 'Æ', 'ae'), 'æ', 'ae'), 'Å', 'aa'), 'å', 'aa'), 'Øø', 'oo')"/>
    <xsl:variable name="dashed" select="translate($latin, translate($latin, $allowed, ''), '--------------------------------------------------------------------------------------------------------------------------------')"/>
    <xsl:variable name="single"><xsl:call-template name="single-dashes"><xsl:with-param name="s" select="$dashed"/></xsl:call-template></xsl:variable>
    <xsl:call-template name="trim-ends"><xsl:with-param name="s" select="$single"/></xsl:call-template>
  </xsl:template>

  <xsl:template name="single-dashes">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '--')"><xsl:call-template name="single-dashes"><xsl:with-param name="s" select="str:replace($s, '--', '-')"/></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="trim-ends">
    <xsl:param name="s"/>
    <xsl:variable name="last" select="substring($s, string-length($s))"/>
    <xsl:choose>
      <xsl:when test="starts-with($s, '-') or starts-with($s, '.')"><xsl:call-template name="trim-ends"><xsl:with-param name="s" select="substring($s, 2)"/></xsl:call-template></xsl:when>
      <xsl:when test="$last = '-' or $last = '.'"><xsl:call-template name="trim-ends"><xsl:with-param name="s" select="substring($s, 1, string-length($s) - 1)"/></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A moment as Oslo local time, "YYYY-MM-DDThh:mm:ss+01:00" (or +02:00 from the last Sunday of March, 01:00 UTC,
       to the last Sunday of October, 01:00 UTC). -->
  <xsl:template name="oslo">
    <xsl:param name="t"/>
    <xsl:choose>
      <xsl:when test="$shortcuts = 1"><xsl:value-of select="$t"/></xsl:when>
      <xsl:otherwise><xsl:call-template name="oslo-exact"><xsl:with-param name="t" select="$t"/></xsl:call-template></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="oslo-exact">
    <xsl:param name="t"/>
    <xsl:variable name="epoch">1970-01-01T00:00:00Z</xsl:variable>
    <xsl:variable name="s" select="floor(date:seconds($t))"/>
    <xsl:variable name="y" select="substring(date:add($epoch, concat('PT', $s, 'S')), 1, 4)"/>
    <xsl:variable name="march" select="32 - date:day-in-week(concat($y, '-03-31'))"/>
    <xsl:variable name="october" select="32 - date:day-in-week(concat($y, '-10-31'))"/>
    <xsl:variable name="summerFrom" select="date:seconds(concat($y, '-03-', $march, 'T01:00:00Z'))"/>
    <xsl:variable name="summerTo" select="date:seconds(concat($y, '-10-', $october, 'T01:00:00Z'))"/>
    <xsl:variable name="offset">
      <xsl:choose>
        <xsl:when test="$s &gt;= $summerFrom and $s &lt; $summerTo">2</xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:value-of select="concat(substring(date:add($epoch, concat('PT', $s + 3600 * $offset, 'S')), 1, 19), '+0', $offset, ':00')"/>
  </xsl:template>
</xsl:stylesheet>

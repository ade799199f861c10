#!/usr/bin/perl
# mail_dkim_arc.pl - Mail::DKIM (libmail-dkim-perl) as an ARC oracle for run_differential.py.
#
# Usage: mail_dkim_arc.pl --keys KEYS.tsv [COMMAND ARGS...]
#   KEYS.tsv: "name<TAB>TXT record" lines; the only DNS this script ever answers from
#   (Mail::DKIM::DNS::query is replaced, so nothing is sent to any resolver).
# With a COMMAND, runs it once; without, reads one command per line from stdin and answers
# each with one line on stdout (a coprocess, so that Perl and Mail::DKIM load once per run).
# Commands (arguments separated by one TAB in server mode, as words on the command line):
#   verify MSGFILE
#       -> "cv=<result> detail=<Mail::DKIM result_detail>"
#   seal MSGFILE KEYFILE DOMAIN SELECTOR SRVID CHAIN TIMESTAMP OUTFILE
#       Seals the message (Mail::DKIM::ARC::Signer, rsa-sha256, the only algorithm it signs
#       with) with cv=CHAIN, writes the new ARC set (AS, AMS, AAR, CRLF-terminated) to OUTFILE
#       -> "sealed" or "error <why>"
# MSGFILE may use LF or CRLF line ends; the message is fed with CRLF as the API expects.
use strict;
use warnings;

use Mail::DKIM::ARC::Signer;
use Mail::DKIM::ARC::Verifier;
use Mail::DKIM::DNS;
use Mail::DKIM::TextWrap;
use Net::DNS;

my %zone;

sub load_keys {
    my ($path) = @_;
    open my $in, '<', $path or die "cannot read $path: $!\n";
    while ( my $line = <$in> ) {
        $line =~ s/\r?\n$//;
        next if $line eq '' or $line =~ /^#/;
        my ( $name, $value ) = split /\t/, $line, 2;
        die "bad key line in $path: $line\n" unless defined $value;
        $zone{ lc $name } = $value;
    }
    close $in;
}

# The whole DNS as Mail::DKIM sees it: answers from %zone, NXDOMAIN otherwise.
{
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ( $domain, $type ) = @_;
        my $name = lc $domain;
        $name =~ s/\.$//;
        if ( uc $type ne 'TXT' || !exists $zone{$name} ) {
            $@ = 'NXDOMAIN';
            return;
        }
        my @strings = unpack '(A255)*', $zone{$name};
        @strings = ('') unless @strings;
        $@ = 'NOERROR';
        return Net::DNS::RR->new(
            name    => $name,
            type    => 'TXT',
            txtdata => \@strings
        );
    };
}

# Belt and braces: a resolver object that refuses to send anything.
package NoNetworkResolver {
    sub new  { return bless {}, shift }
    sub send { die "mail_dkim_arc.pl: network DNS attempted for $_[1]\n" }
    sub errorstring { return 'no network' }
}
Mail::DKIM::DNS::resolver( NoNetworkResolver->new );

sub feed {
    my ( $object, $path ) = @_;
    open my $in, '<:raw', $path or die "cannot read $path: $!\n";
    local $/ = "\n";
    while ( my $line = <$in> ) {
        $line =~ s/\r?\n$//;
        $object->PRINT("$line\015\012");
    }
    close $in;
    $object->CLOSE;
}

sub run_command {
    my ( $command, @args ) = @_;
    if ( $command eq 'verify' ) {
        die "verify MSGFILE\n" unless @args == 1;
        my $arc = Mail::DKIM::ARC::Verifier->new();
        feed( $arc, $args[0] );
        my $detail = $arc->result_detail // '';
        $detail =~ s/[\r\n\t]+/ /g;
        return 'cv=' . ( $arc->result // 'undef' ) . " detail=$detail";
    }
    if ( $command eq 'seal' ) {
        die "seal MSGFILE KEYFILE DOMAIN SELECTOR SRVID CHAIN TIMESTAMP OUTFILE\n"
          unless @args == 8;
        my ( $message, $keyfile, $domain, $selector, $srvid, $chain, $timestamp, $out ) = @args;
        my $signer = Mail::DKIM::ARC::Signer->new(
            Algorithm => 'rsa-sha256',
            Chain     => $chain,
            Domain    => $domain,
            SrvId     => $srvid,
            Selector  => $selector,
            KeyFile   => $keyfile,
            Timestamp => $timestamp,
        );
        feed( $signer, $message );
        return 'error ' . ( $signer->{details} // $signer->result // 'unknown' )
          unless ( $signer->result // '' ) eq 'sealed';
        open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
        print {$fh} $signer->as_string;
        close $fh or die "cannot write $out: $!\n";
        return 'sealed';
    }
    die "unknown command $command\n";
}

sub answer {
    my @words = @_;
    my $reply = eval { run_command(@words) };
    if ( !defined $reply ) {
        my $error = $@ || 'unknown error';
        $error =~ s/[\r\n]+/ /g;
        $reply = "error $error";
    }
    return $reply;
}

die "usage: $0 --keys KEYS.tsv [COMMAND ARGS...]\n" unless @ARGV >= 2 && $ARGV[0] eq '--keys';
shift @ARGV;
load_keys( shift @ARGV );

if (@ARGV) {
    my $reply = answer(@ARGV);
    print "$reply\n";
    exit( $reply =~ /^error / ? 1 : 0 );
}

$| = 1;
while ( my $line = <STDIN> ) {
    $line =~ s/\r?\n$//;
    next if $line eq '';
    print answer( split /\t/, $line ), "\n";
}

//! Code-link extraction cases, most taken verbatim from real arXiv papers.
use super::*;
use rstest::rstest;

use CodeHost::{AnonymousReview, Bitbucket, Codeberg, GitHub, GitLab, HuggingFace};
use LinkSource::{Abstract, Comment};

/// The expected links: host, repository key, source.
type Expected = &'static [(CodeHost, &'static str, LinkSource)];

/// Runs the extractor and checks the links plus the invariants every link keeps.
fn check(abstract_text: &str, comment: Option<&str>, expected: Expected) {
    let links = extract_code_links(abstract_text, comment);
    let got: Vec<_> = links
        .iter()
        .map(|link| (link.host, link.repo.as_str(), link.source))
        .collect();
    assert_eq!(
        got, expected,
        "abstract {abstract_text:?}, comment {comment:?}"
    );
    for link in &links {
        let domain = canonical_domain(link.host);
        assert_eq!(link.url, format!("https://{domain}/{}", link.repo));
        let clean = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/');
        assert!(link.repo.bytes().all(clean), "unclean repo {:?}", link.repo);
        assert!(link.repo.split('/').all(|segment| !segment.is_empty()));
    }
}

/// Snippets copied verbatim from abstracts of the arXiv cs 2025-2026 corpus
/// (`/work/shared/corpora/arxiv-cs-2025-2026`); the comment names the paper.
#[rstest]
// arXiv:2505.05446 — line break inside the host name
#[case(
    "rios. Our code and models are released at https://github.\ncom/Euphoria16/DocMark.",
    &[(GitHub, "Euphoria16/DocMark", Abstract)]
)]
// arXiv:2510.08901 — host broken, trailing `/)`
#[case(
    "cations (code and dataset can be found at https://github.\ncom/ronan-39/tlt/).",
    &[(GitHub, "ronan-39/tlt", Abstract)]
)]
// arXiv:2507.09506 — host broken
#[case(
    "sights. Our data and code can be found in https://github.\ncom/wujunjie1998/Ref-Long.",
    &[(GitHub, "wujunjie1998/Ref-Long", Abstract)]
)]
// arXiv:2510.06009 — line break right after the host's `/`
#[case(
    " code can\nbe found via the following link https://github.com/\nGepardius/Taetz_Bordelius_Continual_ImageCaptioning.",
    &[(GitHub, "Gepardius/Taetz_Bordelius_Continual_ImageCaptioning", Abstract)]
)]
// arXiv:2504.13131 — line break after a `-` inside the repository name
#[case(
    "ublicly available at https://github.com/lixinustc/KVQE-\nChallengeCVPR-NTIRE2025.",
    &[(GitHub, "lixinustc/KVQE-ChallengeCVPR-NTIRE2025", Abstract)]
)]
// arXiv:2505.23353 — the next line's word is not glued on
#[case(
    "de and generated data at https://github.com/agr78/PRLx-GAN\nupon publication.",
    &[(GitHub, "agr78/PRLx-GAN", Abstract)]
)]
// arXiv:2507.03578 — the next line's word is not glued on
#[case(
    "se our code at https://github.com/google-deepmind/scivid\nto facilitate further research in the development",
    &[(GitHub, "google-deepmind/scivid", Abstract)]
)]
// arXiv:2506.02393 — unfinished placeholder, "soon" is not a repository
#[case(" Our code will be available at https://github.com/yongxianLiu/\nsoon.", &[])]
// arXiv:2505.22046 — placeholder, `--` is no GitHub owner
#[case("e evaluation metrics will be available at https://github.com/\n--.", &[])]
// arXiv:2503.12061 — trailing period
#[case(
    "0, and UCF-QNRF. Our\ncode is in https://anonymous.4open.science/r/EHNet.",
    &[(AnonymousReview, "r/EHNet", Abstract)]
)]
// arXiv:2504.05995 — in parentheses, then a period
#[case(
    "ble for the\ncommunity (https://gitlab.com/nativqa/nativqa-framework).",
    &[(GitLab, "nativqa/nativqa-framework", Abstract)]
)]
// arXiv:2505.00737 — `).` and a line break
#[case(
    "d\nfuture prospects (https://github.com/JiajiaLi04/3D-Reconstruction-Plants).\nThrough this review, we aim to provide insights i",
    &[(GitHub, "JiajiaLi04/3D-Reconstruction-Plants", Abstract)]
)]
// arXiv:2503.17966 — \url{…}
#[case(
    ".\nThe code and dataset are publicly available at\n\\url{https://github.com/lwCVer/RRSHID}.",
    &[(GitHub, "lwCVer/RRSHID", Abstract)]
)]
// arXiv:2503.17793 — ~\url{…} to a Hugging Face model
#[case(
    "cessed\nat~\\url{https://huggingface.co/inclusionAI/Ling-Coder-lite}.",
    &[(HuggingFace, "inclusionAI/Ling-Coder-lite", Abstract)]
)]
// arXiv:2504.12324 — \href{url/}{text}
#[case(
    "ilable at\n\\href{https://anonymous.4open.science/r/CDCL-NLI-637E/}{CDCL-NLI-Link for peer\nreview}.",
    &[(AnonymousReview, "r/CDCL-NLI-637E", Abstract)]
)]
// arXiv:2507.15576 — \href to a tree/main deep link
#[case(
    "ins. Code:\n\\href{https://github.com/Nicolas-Poggi/Project_THz_Classification/tree/main}{GitHub\nrepository}.",
    &[(GitHub, "Nicolas-Poggi/Project_THz_Classification", Abstract)]
)]
// arXiv:2510.17238 — \href to a tree/main/sub deep link
#[case(
    "digm for LLM reasoning. Code will be released at\n\\href{https://github.com/EIT-NLP/StreamingLLM/tree/main/StreamingThinker}{this\nrepository.}",
    &[(GitHub, "EIT-NLP/StreamingLLM", Abstract)]
)]
// arXiv:2503.18854 — $\href{url}{url}$, de-duplicated
#[case(
    "he code and\ndataset will be publicly available at\n$\\href{https://github.com/arctanxarc/MC-LLaVA}{https://github.com/arctanxarc/MC-LLaVA}$.",
    &[(GitHub, "arctanxarc/MC-LLaVA", Abstract)]
)]
// arXiv:2506.07412 — \href{url}{url} with a line break after
#[case(
    "e the dataset and all accompanying source code at\n\\href{https://github.com/chansongoal/Compressed-Feature-Quality-Assessment}{https://github.com/chansongoal/Compressed-Feature-Quality-Assessment}.\nThis contribution aims to advance the field and p",
    &[(GitHub, "chansongoal/Compressed-Feature-Quality-Assessment", Abstract)]
)]
// arXiv:2603.08967 — \hyperlink{url}{url} to GitLab
#[case(
    "review} - \\hyperlink{https://gitlab.com/viper-purdue/atlas}{https://gitlab.com/viper-purdue/atlas}\n  \\keywor",
    &[(GitLab, "viper-purdue/atlas", Abstract)]
)]
// arXiv:2506.09003 — markdown link
#[case(
    " all code, datasets, models, and Docker images at\n[Github](https://github.com/Hambaobao/SWE-Flow).",
    &[(GitHub, "Hambaobao/SWE-Flow", Abstract)]
)]
// arXiv:2505.18956 — angle brackets and `.git`
#[case(
    "ublicly available at <https://github.com/IMPL-Lab/IAL.git>.",
    &[(GitHub, "IMPL-Lab/IAL", Abstract)]
)]
// arXiv:2509.09703 — angle brackets
#[case(
    "rios. Our\ncode and data are publicly available at <https://github.com/Xuzhenhua55/CTCC>.",
    &[(GitHub, "Xuzhenhua55/CTCC", Abstract)]
)]
// arXiv:2503.12559 — `.git.`
#[case(
    "de is available at\nhttps://github.com/SCZwangxiao/video-FlexReduc.git.",
    &[(GitHub, "SCZwangxiao/video-FlexReduc", Abstract)]
)]
// arXiv:2505.00681 — query string and LaTeX-escaped fragment
#[case(
    "vailable under\nhttps://github.com/google-deepmind/neptune?tab=readme-ov-file\\#minerva.",
    &[(GitHub, "google-deepmind/neptune", Abstract)]
)]
// arXiv:2601.08557 — fragment
#[case(
    "full code and experimental resources available at https://github.com/Simula/HEDGE#videohedge .",
    &[(GitHub, "Simula/HEDGE", Abstract)]
)]
// arXiv:2503.16983 — http:// and a deep tree link
#[case(
    "d implemented using the PaddlePaddle framework at\nhttp://github.com/PaddlePaddle/PaddleMIX/tree/develop/ppdiffusers/examples/ppvctrl.",
    &[(GitHub, "PaddlePaddle/PaddleMIX", Abstract)]
)]
// arXiv:2504.18959 — www. without scheme
#[case(
    "tection in SAR imagery. The code is available at:\nwww.github.com/ka-mirul/R-Sparse-R-CNN.",
    &[(GitHub, "ka-mirul/R-Sparse-R-CNN", Abstract)]
)]
// arXiv:2508.14370 — no scheme, two hosts in one text
#[case(
    "OT20 test sets. Code and Benchmark\nare available: github.com/Hamidreza-Hashempoor/FastTracker,\nhuggingface.co/datasets/Hamidreza-Hashemp/FastTracker-Benchmark.",
    &[
        (GitHub, "Hamidreza-Hashempoor/FastTracker", Abstract),
        (HuggingFace, "datasets/Hamidreza-Hashemp/FastTracker-Benchmark", Abstract),
    ]
)]
// arXiv:2504.11468 — Hugging Face space in parentheses
#[case(
    "p-1 performance on Open LMM Reasoning Leaderboard\n(https://huggingface.co/spaces/opencompass/Open_LMM_Reasoning_Leaderboard)\namong 4B scale LVLMs, surpassing the previous sta",
    &[(HuggingFace, "spaces/opencompass/Open_LMM_Reasoning_Leaderboard", Abstract)]
)]
// arXiv:2503.19633 — dataset name with a dot inside
#[case(
    "guage Models (LLMs). The dataset was\npublished in\n\\href{https://huggingface.co/datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M}{https://huggingface.co/datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M}.",
    &[(HuggingFace, "datasets/a-m-team/AM-DeepSeek-R1-Distilled-1.4M", Abstract)]
)]
// arXiv:2505.13404 — hf.co short domain, dataset
#[case(
    " 50%\nless data. Dataset will be made available at\nhttps://hf.co/datasets/nvidia/Granary",
    &[(HuggingFace, "datasets/nvidia/Granary", Abstract)]
)]
// arXiv:2512.05000 — hf.co short domain, space
#[case(
    "ty solution for reflection removal. Project page: https://hf.co/spaces/huawei-bayerlab/windowseat-reflection-removal-web",
    &[(HuggingFace, "spaces/huawei-bayerlab/windowseat-reflection-removal-web", Abstract)]
)]
// arXiv:2504.03601 — a Hugging Face collection and a github.io site: no repository
#[case(
    "e on HuggingFace at\nhttps://huggingface.co/collections/Salesforce/xlam-2-67ef5be12949d8dcdae354c4\nand project website is https://apigen-mt.github.io",
    &[]
)]
// arXiv:2503.21819 — Hugging Face organisation page only
#[case("\\textbf{We will open-source all trained models at\nhttps://huggingface.co/hydroxai.", &[])]
// arXiv:2511.03416 — GitLab subgroups
#[case(
    "arch settings. The code is publicly\navailable at:\nhttps://gitlab.com/radiology/prenatal-image-analysis/pca-3d-alignment.",
    &[(GitLab, "radiology/prenatal-image-analysis/pca-3d-alignment", Abstract)]
)]
// arXiv:2606.00076 — GitLab `/-/tree/<sha>` deep link
#[case(
    " DefocusTrackerAI based on YOLOv9 is available at https://gitlab.com/goncalo.coutinho/defocustrackerAI-main/-/tree/7e0f11f649ebad50e20dca5b9545f26ca303ebe0 and can be used for automatic detection of defocu",
    &[(GitLab, "goncalo.coutinho/defocustrackerAI-main", Abstract)]
)]
// arXiv:2509.06464 — GitLab user name with a dot; a complete URL is not continued
#[case(
    "e synthetic dataset publicly available on GitLab:\nhttps://gitlab.com/Erez.Posner/stomach_pytorch to facilitate further research.\nThis work introdu",
    &[(GitLab, "Erez.Posner/stomach_pytorch", Abstract)]
)]
// arXiv:2503.13477 — line break after the scheme; another link (bit.ly) ignored
#[case(
    "the pose detection and segmentation models. Code: https://\nanonymous.4open.science/r/Bone-Loss-Keypoint-Detection-Code. Dataset:\nhttps://bit.ly/4hJ3aE7.",
    &[(AnonymousReview, "r/Bone-Loss-Keypoint-Detection-Code", Abstract)]
)]
// arXiv:2506.08797 — anonymous project page (/w/), not a repository
#[case(
    "r-friendly demo interface.\nThe project page is at https://anonymous.4open.science/w/homa-page-0FBE/.",
    &[]
)]
// arXiv:2605.27853 — anonymous status page of a repository
#[case(
    "rounded structural context. Code is available at: https://anonymous.4open.science/status/MolLingo-7450.",
    &[(AnonymousReview, "r/MolLingo-7450", Abstract)]
)]
// arXiv:2504.07335 — id ending with `_`, trailing `/ .`
#[case(
    "LM-O) and 89.5% (YCB-V). The code is available at\nhttps://anonymous.4open.science/r/DLTPose_/ .",
    &[(AnonymousReview, "r/DLTPose_", Abstract)]
)]
// arXiv:2503.17057 — LaTeX-escaped underscores
#[case(
    "tation tasks. Our codes are publicly\navailable on https://github.com/13204942/SSL\\_Cervical\\_Segmentation.",
    &[(GitHub, "13204942/SSL_Cervical_Segmentation", Abstract)]
)]
// arXiv:2503.21829 — http:// and an escaped underscore
#[case(
    "t seen during training. Our code can be found at:\nhttp://github.com/SCAN-NRAD/e3nn\\_U-Net.",
    &[(GitHub, "SCAN-NRAD/e3nn_U-Net", Abstract)]
)]
// arXiv:2606.10666 — copy-paste space after the host's `/`, escaped underscores
#[case(
    "e publicly available at the following repository: https://github.com/ ChristianSieberichs/BoundingBox\\_corruption\\_detection",
    &[(GitHub, "ChristianSieberichs/BoundingBox_corruption_detection", Abstract)]
)]
// arXiv:2504.12560 — copy-paste space after the host's `/`
#[case(
    "-based methods. Our code is publicly\navailable at https://github.com/ elakhatibi/CDF-RAG.",
    &[(GitHub, "elakhatibi/CDF-RAG", Abstract)]
)]
// arXiv:2602.19004 — copy-paste space after the owner's `/`
#[case(
    "nsistency across modalities. Code is available at https://github.com/bbvisual/ MoBind.",
    &[(GitHub, "bbvisual/MoBind", Abstract)]
)]
// arXiv:2601.22581 — copy-paste space after a `-`; "for" is not glued on
#[case(
    "gin. The source code of MIFOMO is open-sourced in https://github.com/Naeem- Paeedeh/MIFOMO for reproducibility and convenient further study.",
    &[(GitHub, "Naeem-Paeedeh/MIFOMO", Abstract)]
)]
// arXiv:2601.22853 — double slash
#[case(
    " missing-data scenarios. Our code is available at https://github.com//siyi-wind/DyMo.",
    &[(GitHub, "siyi-wind/DyMo", Abstract)]
)]
// arXiv:2505.18129 — organisation page only
#[case(
    "g with the Orsta models, is publicly available at\nhttps://github.com/MiniMax-AI.",
    &[]
)]
// arXiv:2509.14142 — organisation page with a trailing slash
#[case(
    "workshop website and our GitHub organization page\nhttps://github.com/mars2workshop/, where our updates and announcements of\nupcoming e",
    &[]
)]
// arXiv:2508.10453 — bare host
#[case("The source code for TS-Mamba will\nbe available at https://github.com.", &[])]
// arXiv:2506.23270 — host glued to the previous word: a different domain, skipped
#[case(
    "ti-turn conversation, etc). The\ncode is available atgithub.com/xmed-lab/TAM.",
    &[]
)]
fn abstract_snippets(#[case] abstract_text: &str, #[case] expected: Expected) {
    check(abstract_text, None, expected);
}

/// Snippets copied verbatim from the comment field (indented continuation lines).
#[rstest]
// arXiv:2503.21694 — `.` then a line break is the end; a Hugging Face space follows
#[case(
    "ted to CVPR 2025.\n  Code:https://github.com/theEricMa/TriplaneTurbo.\n  Demo:https://huggingface.co/spaces/ZhiyuanthePony/TriplaneTurbo",
    &[
        (GitHub, "theEricMa/TriplaneTurbo", Comment),
        (HuggingFace, "spaces/ZhiyuanthePony/TriplaneTurbo", Comment),
    ]
)]
// arXiv:2504.02949 — a dot inside the repository name, a trailing one outside
#[case(
    "Code is available at: https://github.com/VARGPT-family/VARGPT-v1.1.\n  arXiv admin note: text overlap with arXiv:2501.",
    &[(GitHub, "VARGPT-family/VARGPT-v1.1", Comment)]
)]
// arXiv:2605.06832 — two markdown links, same name on two hosts
#[case(
    "IntentGrasp data is available on [Hugging Face](https://huggingface.co/datasets/yuweiyin/IntentGrasp), and the code is released on [GitHub](https://github.com/YuweiYin/IntentGrasp)",
    &[
        (HuggingFace, "datasets/yuweiyin/IntentGrasp", Comment),
        (GitHub, "YuweiYin/IntentGrasp", Comment),
    ]
)]
// arXiv:2506.22783 — dataset, then a copy-paste space after the owner's `/`
#[case(
    "h 2025, for\n  the dataset see https://huggingface.co/datasets/phonemefake/PhonemeFakeV2,\n  for the code see https://github.com/UTAustin-SwarmLab/ PhonemeFake",
    &[
        (HuggingFace, "datasets/phonemefake/PhonemeFakeV2", Comment),
        (GitHub, "UTAustin-SwarmLab/PhonemeFake", Comment),
    ]
)]
// arXiv:2504.10568 — github.io site skipped; dataset with a trailing slash
#[case(
    "Project Website: https://agmmu.github.io/ Huggingface:\n  https://huggingface.co/datasets/AgMMU/AgMMU_v1/",
    &[(HuggingFace, "datasets/AgMMU/AgMMU_v1", Comment)]
)]
// arXiv:2504.13189 — dataset tree/main deep link
#[case(
    "The codes and the datasets can be accessed from\n  https://huggingface.co/datasets/sohomghosh/BASIR_Budget_Assisted_Sectoral_Impact_Ranking/tree/main/",
    &[(HuggingFace, "datasets/sohomghosh/BASIR_Budget_Assisted_Sectoral_Impact_Ranking", Comment)]
)]
// arXiv:2508.11607 — hf.co short domain, model
#[case(
    " Creative AI track, code and\n  model available at https://hf.co/npc-worldwide/TinyTimV1",
    &[(HuggingFace, "npc-worldwide/TinyTimV1", Comment)]
)]
// arXiv:2512.11079 — blob deep link with a percent-encoded file name
#[case(
    " pages, 18 figures, https://github.com/Alanshnir/imessage-analyzer/blob/main/Research/NLP-iMessage-Analyzer%20Findings.pdf",
    &[(GitHub, "Alanshnir/imessage-analyzer", Comment)]
)]
// arXiv:2512.11575 — Codeberg
#[case(
    "Source code available under https://codeberg.org/fuchsfa/in-context-learning-seismic",
    &[(Codeberg, "fuchsfa/in-context-learning-seismic", Comment)]
)]
// arXiv:2605.27255 — capitalised host, no scheme
#[case(
    "Project Page: GitHub.com/AlbertTan404/PIPO",
    &[(GitHub, "AlbertTan404/PIPO", Comment)]
)]
// arXiv:2603.16385 — template placeholder
#[case(
    "nsing of Environment. Code and data available at: https://github.com/[your-repo-link]",
    &[]
)]
fn comment_snippets(#[case] comment: &str, #[case] expected: Expected) {
    check("", Some(comment), expected);
}

/// Papers whose abstract and comment both carry links (verbatim snippets).
#[rstest]
// arXiv:2503.13646 — the same link in both places keeps `Abstract`
#[case(
    "poral dynamics. Dataset and code are available at\nhttps://github.com/google-research-datasets/egotempo.git.",
    "to CVPR 2025. Dataset and code are available at\n  https://github.com/google-research-datasets/egotempo.git",
    &[(GitHub, "google-research-datasets/egotempo", Abstract)]
)]
// arXiv:2503.13440 — http:// in both places
#[case(
    "sing\nperformance. Code and models are released at http://github.com/hustvl/MaTVLM.",
    "Code and model are available at http://github.com/hustvl/MaTVLM",
    &[(GitHub, "hustvl/MaTVLM", Abstract)]
)]
// arXiv:2503.13881 — link in the comment only
#[case(
    "We propose a new method for multimodal reasoning segmentation.",
    "ICLR 2025, Code and dataset are available at\n  \\url{https://github.com/jdg900/MMR}",
    &[(GitHub, "jdg900/MMR", Comment)]
)]
fn both_fields(#[case] abstract_text: &str, #[case] comment: &str, #[case] expected: Expected) {
    check(abstract_text, Some(comment), expected);
}

/// Synthetic edge cases.
#[rstest]
#[case("", &[])]
#[case("No links here. Just text with dots... and more.", &[])]
#[case("github.com", &[])]
#[case("see github.com/", &[])]
#[case("see https://github.com/octocat", &[])]
#[case("see https://github.com/octocat/", &[])]
#[case("https://github.com/a/b", &[(GitHub, "a/b", Abstract)])]
#[case("at https://github.com/a/b\nand we", &[(GitHub, "a/b", Abstract)])]
#[case("at https://github.com/foo/\nbar and", &[(GitHub, "foo/bar", Abstract)])]
#[case("at https://github.com/fo\no/bar and", &[(GitHub, "foo/bar", Abstract)])]
#[case("at https://github.com\n/foo/bar and", &[(GitHub, "foo/bar", Abstract)])]
#[case("at https://github.com/foo/\n\nbar", &[])]
#[case("at https://github.com/foo/bar\r\nand", &[(GitHub, "foo/bar", Abstract)])]
#[case("at https://github.\r\ncom/foo/bar.", &[(GitHub, "foo/bar", Abstract)])]
#[case("at https://github.com/a/b.\nc", &[(GitHub, "a/b", Abstract)])]
#[case("at https://github.com/owner\nand", &[])]
#[case("https://github.com/owner/repo.js.", &[(GitHub, "owner/repo.js", Abstract)])]
#[case("(code: https://github.com/a/b)", &[(GitHub, "a/b", Abstract)])]
#[case("\"https://github.com/a/b\";", &[(GitHub, "a/b", Abstract)])]
#[case("'https://github.com/a/b'", &[(GitHub, "a/b", Abstract)])]
#[case("{https://github.com/a/b}].:", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/a/b.git/", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/a/b/issues/12", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/a/b#readme", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/a/.git", &[])]
#[case("https://github.com/a/..", &[])]
#[case("HTTPS://WWW.GITHUB.COM/Owner/Repo", &[(GitHub, "Owner/Repo", Abstract)])]
#[case("ftp://github.com/a/b", &[(GitHub, "a/b", Abstract)])]
#[case("javascript:alert(1)//github.com/a/b", &[(GitHub, "a/b", Abstract)])]
#[case("javascript://github.com/%0Aalert(document.cookie)", &[])]
#[case("javascript:alert('github.com')", &[])]
#[case("<script>https://github.com/a/b</script>", &[(GitHub, "a/b", Abstract)])]
#[case("<script src=\"https://github.com/a/b<img>\">", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/a/b\"onmouseover=\"x", &[(GitHub, "a/b", Abstract)])]
#[case("https://github.com/features/copilot", &[])]
#[case("https://github.com/orgs/acme/repositories", &[])]
#[case("https://github.com/settings/profile", &[])]
#[case("https://github.com/sponsors/octocat", &[])]
#[case("https://github.com/topics/nlp", &[])]
#[case("https://github.com/github/linguist", &[(GitHub, "github/linguist", Abstract)])]
#[case("https://octocat.github.io/project/", &[])]
#[case("https://human-tailor.github.com/x/y", &[])]
#[case("https://api.github.com/repos/a/b", &[])]
#[case("https://gist.github.com/octocat/6cad326836d38bd3a7ae", &[])]
#[case("https://mygithub.com/a/b", &[])]
#[case("mail git@github.com:a/b.git", &[])]
#[case("https://github.community/t/x", &[])]
#[case("https://github.com.evil.example/a/b", &[])]
#[case("https://github.com/-a/b", &[])]
#[case("https://github.com/a_b/c", &[])]
#[case("https://huggingface.co/papers/2501.00001", &[])]
#[case("https://huggingface.co/docs/transformers/index", &[])]
#[case("https://huggingface.co/blog/some-post", &[])]
#[case("https://huggingface.co/models?search=x", &[])]
#[case("https://huggingface.co/spaces", &[])]
#[case("https://huggingface.co/datasets/only-owner", &[])]
#[case(
    "https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main",
    &[(HuggingFace, "meta-llama/Llama-3.1-8B", Abstract)]
)]
#[case(
    "https://gitlab.com/a/b/tree/master/src",
    &[(GitLab, "a/b", Abstract)]
)]
#[case("https://gitlab.com/groups/acme", &[])]
#[case("https://gitlab.com/acme", &[])]
#[case(
    "https://gitlab.com/g/s/r.git/-/blob/main/x",
    &[(GitLab, "g/s/r", Abstract)]
)]
#[case(
    "https://bitbucket.org/acme/tool/src/master/",
    &[(Bitbucket, "acme/tool", Abstract)]
)]
#[case("https://bitbucket.org/acme", &[])]
#[case(
    "https://codeberg.org/forgejo/forgejo/issues",
    &[(Codeberg, "forgejo/forgejo", Abstract)]
)]
#[case("https://codeberg.org/explore/repos", &[])]
#[case("https://anonymous.4open.science/r/", &[])]
#[case(
    "github.com/a/b github.com/A/B GITHUB.com/a/B",
    &[(GitHub, "a/b", Abstract)]
)]
#[case(
    "gitlab.com/a/b and github.com/a/b",
    &[(GitLab, "a/b", Abstract), (GitHub, "a/b", Abstract)]
)]
fn synthetic(#[case] abstract_text: &str, #[case] expected: Expected) {
    check(abstract_text, None, expected);
}

#[test]
fn no_comment_and_empty_comment() {
    check("", None, &[]);
    check("", Some(""), &[]);
}

#[test]
fn case_insensitive_dedupe_keeps_abstract_spelling() {
    check(
        "code: https://github.com/Owner/Repo",
        Some("code: https://github.com/owner/repo"),
        &[(GitHub, "Owner/Repo", Abstract)],
    );
}

#[test]
fn canonical_urls() {
    let links = extract_code_links(
        "http://www.GitHub.com/a/b/tree/main huggingface.co/spaces/o/n \
         hf.co/datasets/o/d https://gitlab.com/g/s/r/-/tree/x \
         https://anonymous.4open.science/r/X-1234/README.md",
        None,
    );
    let urls: Vec<_> = links.iter().map(|link| link.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://github.com/a/b",
            "https://huggingface.co/spaces/o/n",
            "https://huggingface.co/datasets/o/d",
            "https://gitlab.com/g/s/r",
            "https://anonymous.4open.science/r/X-1234",
        ]
    );
}

#[test]
fn deep_gitlab_nesting_is_cut() {
    let text = "https://gitlab.com/a/b/c/d/e/f/g/h/i/j/k/l/m";
    check(text, None, &[(GitLab, "a/b/c/d/e/f/g/h/i/j", Abstract)]);
}

#[test]
fn never_panics_on_odd_input() {
    let texts = [
        "github.",
        "github.\n",
        "github.\n\ncom/a/b",
        "huggingface.",
        "hf.co/",
        ".",
        "x/github.com/a/b\\",
        "https://github.com/a/b\\",
        "github.com/\u{e9}/b",
        "github.com/a/\u{e9}t\u{e9}",
        "\u{1F600}.github.com/a/b",
        "github.com/a/b/\n",
    ];
    for text in texts {
        let _ = extract_code_links(text, Some(text));
    }
}
